#!/usr/bin/env bash
# Upgrades the pull-through cache on this manager node. The new image is pulled first, while the running cache
# keeps serving; only then is the container replaced, and the script waits until the new one reports healthy.
#
# Usage: scripts/upgrade-cache.sh [options]
#   --manager NAME       this manager node's name; the cache answers as NAME.neon-registry-cache.cluster
#   --remote-url URL     the upstream registry the cache pulls through
#   --user NAME          the upstream login's user name
#   --password PASSWORD  the upstream login's password (prefer the PASSWORD variable: arguments show in ps)
#   --tag TAG            the image tag to run (default: latest)
#   --image NAME         the image repository (default: neon-registry)
#   --config-dir DIR     mounted read-only at the same path in the container (default: /etc/neon-registry-cache)
#   --timeout SECONDS    how long to wait for the new container to be healthy (default: 120)
#   --dry-run            print every docker command and run none of them
# MANAGER, REMOTE_URL, USER and PASSWORD may be given in the environment instead. The password is never printed.
set -euo pipefail

readonly container=neon-registry-cache
readonly volume=neon-registry-cache
readonly store=/var/lib/neon-registry-cache
readonly port=5002

die() {
  echo "upgrade-cache.sh: $*" >&2
  exit 2
}

manager=${MANAGER:-}
remote_url=${REMOTE_URL:-}
user=${USER:-}
password=${PASSWORD:-}
tag=latest
image=neon-registry
config_dir=/etc/neon-registry-cache
timeout=120
dry_run=false
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=true ;;
    --manager | --remote-url | --user | --password | --tag | --image | --config-dir | --timeout)
      [ $# -ge 2 ] || die "$1 needs a value"
      case "$1" in
        --manager) manager=$2 ;;
        --remote-url) remote_url=$2 ;;
        --user) user=$2 ;;
        --password) password=$2 ;;
        --tag) tag=$2 ;;
        --image) image=$2 ;;
        --config-dir) config_dir=$2 ;;
        --timeout) timeout=$2 ;;
      esac
      shift
      ;;
    -h | --help)
      sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
      exit 0
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

missing=0
require() {
  if [ -z "$3" ]; then
    echo "upgrade-cache.sh: $1 is missing: pass --$2 or set $1 in the environment" >&2
    missing=1
  fi
}
require MANAGER manager "$manager"
require REMOTE_URL remote-url "$remote_url"
require USER user "$user"
require PASSWORD password "$password"
[ "$missing" -eq 0 ] || exit 2
[[ $manager =~ ^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$ ]] || die "--manager '$manager' is not a host name (letters, digits and inner '-')"
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout '$timeout' is not a number of seconds"

reference="$image:$tag"
host="$manager.neon-registry-cache.cluster"
# The values travel to docker in its environment, named but not valued on its command line, so neither this
# script's output nor the process list ever shows the password.
export REMOTE_URL=$remote_url USER=$user PASSWORD=$password

run() {
  echo "+ $*"
  if ! $dry_run; then
    "$@"
  fi
}

echo "upgrading $container on $manager to $reference (upstream $remote_url as $user)"
$dry_run || command -v docker >/dev/null 2>&1 || die "docker is not installed"

if ! run docker pull "$reference"; then
  echo "upgrade-cache.sh: could not pull $reference; the running cache was not touched" >&2
  exit 1
fi

previous=""
if ! $dry_run; then
  previous=$(docker container inspect --format '{{.Config.Image}}' "$container" 2>/dev/null || true)
fi
if $dry_run || [ -n "$previous" ]; then
  run docker rm --force "$container"
fi

run docker run --detach --name "$container" --restart always \
  --publish "$port:$port" \
  --env "HOST=$host" --env "PORT=$port" --env "STORAGE_PATH=$store" \
  --env REMOTE_URL --env USER --env PASSWORD \
  --volume "$config_dir:$config_dir:ro" \
  --volume "$volume:$store" \
  "$reference"

health_format='{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}'
if $dry_run; then
  echo "+ docker container inspect --format '$health_format' $container  (every second until healthy, at most ${timeout} s)"
  exit 0
fi

fail() {
  echo "upgrade-cache.sh: the new $container ($reference) did not become healthy: $1" >&2
  echo "its last log lines:" >&2
  docker logs --tail 20 "$container" 2>&1 | sed 's/^/  /' >&2 || true
  if [ -n "$previous" ]; then
    echo "to go back to the image it replaced, run this script again with that image and tag: $previous" >&2
  fi
  exit 1
}

deadline=$((SECONDS + timeout))
while :; do
  state=$(docker container inspect --format "$health_format" "$container" 2>/dev/null || echo "missing none")
  case "$state" in
    "running healthy")
      echo "$container is healthy: $reference answers on port $port as $host"
      exit 0
      ;;
    *" unhealthy") fail "its health check fails" ;;
    "missing none") fail "the container is gone" ;;
    *" none") fail "it reports no health (state: ${state% none}); is $reference an image of this registry?" ;;
  esac
  if [ "$SECONDS" -ge "$deadline" ]; then
    fail "still '$state' after ${timeout} s"
  fi
  sleep 1
done
