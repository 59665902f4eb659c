#!/usr/bin/env bash
# Deploys or upgrades the pull-through cache on this manager node. The new image is pulled first, while the
# running cache keeps serving. Then the running container is stopped and kept aside, the new one is started,
# and the script waits until docker reports it healthy and its port answers GET /healthz; only then is the old
# one removed. If the new one fails to start or to become healthy, it is removed and the old one started again.
#
# Usage: scripts/upgrade-cache.sh [options]
#   --manager NAME         this manager node's name; the cache answers as NAME.neon-registry-cache.cluster
#   --image NAME           the image repository, with its registry: registry.example.com/neon-registry
#                          (a bare name such as neon-registry means Docker Hub, unless --no-pull)
#   --tag TAG              the image tag to run (default: latest)
#   --no-pull              run the image this engine already has; never pull it
#   --remote-url URL       the upstream registry the cache pulls through (or REMOTE_URL in cache.env)
#   --user NAME            the upstream login's user name (none: an anonymous upstream)
#   --password PASSWORD    the upstream login's password (prefer the PASSWORD variable: arguments show in ps)
#   --config-dir DIR       an absolute path, mounted read-only at the same path in the container; its
#                          cache.env, if any, gives the container every further setting (default:
#                          /etc/neon-registry-cache)
#   --port PORT            the port the cache answers on (default: 5002)
#   --network host         run on the host's network instead of publishing the port from docker's bridge
#   --health-interval DUR  how often docker probes the container (default: the image's, 30s); engines from
#                          Docker 25 on probe every 2s while it starts anyway
#   --timeout SECONDS      how long to wait for the new container to be healthy (default: 120)
#   --dry-run              print every docker command and run none of them
# MANAGER, IMAGE, REMOTE_URL, USER and PASSWORD may be given in the environment instead. The password is never
# printed. Exit status: 0 the new container is healthy and answers; 1 the image could not be pulled (or, with
# --no-pull, is not here): nothing was changed; 2 a missing or bad setting: nothing was run; 3 the new
# container did not start or become healthy: it was removed and the previous one (if any) is serving again;
# 4 as 3, but the previous one did not come back either: this node has no cache.
set -euo pipefail

readonly container=neon-registry-cache
readonly previous_name=neon-registry-cache-previous
readonly volume=neon-registry-cache
readonly store=/var/lib/neon-registry-cache

die() {
  echo "upgrade-cache.sh: $*" >&2
  exit 2
}

manager=${MANAGER:-}
image=${IMAGE:-}
remote_url=${REMOTE_URL:-}
user=${USER:-}
user_given=false
password=${PASSWORD:-}
tag=latest
pull=true
config_dir=/etc/neon-registry-cache
port=5002
network=bridge
health_interval=""
timeout=120
dry_run=false
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=true ;;
    --no-pull) pull=false ;;
    --manager | --image | --tag | --remote-url | --user | --password | --config-dir | --port | --network | --health-interval | --timeout)
      [ $# -ge 2 ] || die "$1 needs a value"
      case "$1" in
        --manager) manager=$2 ;;
        --image) image=$2 ;;
        --tag) tag=$2 ;;
        --remote-url) remote_url=$2 ;;
        --user) user=$2 user_given=true ;;
        --password) password=$2 ;;
        --config-dir) config_dir=$2 ;;
        --port) port=$2 ;;
        --network) network=$2 ;;
        --health-interval) health_interval=$2 ;;
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

[[ $config_dir == /* ]] || die "--config-dir '$config_dir' is not an absolute path (docker would take it for a volume name)"
env_file="$config_dir/cache.env"
# REMOTE_URL may come from cache.env instead; a value given here wins over the file's.
in_env_file() {
  [ -f "$env_file" ] && grep -q "^$1=" "$env_file"
}

missing=0
require() {
  if [ -z "$3" ]; then
    echo "upgrade-cache.sh: $1 is missing: $2" >&2
    missing=1
  fi
}
require MANAGER "pass --manager or set MANAGER in the environment" "$manager"
require IMAGE "pass --image with the registry the image was pushed to (e.g. registry.example.com/neon-registry) or set IMAGE" "$image"
# A cache may mirror the upstreams of a file alone (no REMOTE_URL): the binary finds it in the config directory.
upstreams_file="$config_dir/upstreams.toml"
[ -f "$upstreams_file" ] || in_env_file REMOTE_URL || in_env_file UPSTREAMS_FILE ||
  require REMOTE_URL "pass --remote-url, set REMOTE_URL in the environment or in $env_file, or put the upstreams in $upstreams_file" "$remote_url"
[ "$missing" -eq 0 ] || exit 2
[[ $manager =~ ^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$ ]] || die "--manager '$manager' is not a host name (letters, digits and inner '-')"
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout '$timeout' is not a number of seconds"
if ! [[ $port =~ ^[0-9]{1,5}$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
  die "--port '$port' is not a port number"
fi
[ "$network" = bridge ] || [ "$network" = host ] || die "--network '$network' is neither bridge nor host"
[ -z "$health_interval" ] || [[ $health_interval =~ ^[0-9]+(ms|s|m)$ ]] || die "--health-interval '$health_interval' is not a duration such as 5s"
if [ -n "$user" ] && [ -z "$password" ]; then
  # A login shell always sets USER to its own user: without PASSWORD that is no upstream login, as the binary
  # reads it too. Only --user names the upstream login for certain.
  $user_given && die "USER is set but PASSWORD is not: set both for an upstream login, or neither for an anonymous upstream"
  echo "upgrade-cache.sh: ignoring USER '$user' (set by the shell?) because PASSWORD is not set: the cache pulls anonymously" >&2
  user=
fi
if [ -z "$user" ] && [ -n "$password" ]; then
  die "PASSWORD is set but USER is not: set both for an upstream login, or neither for an anonymous upstream"
fi

reference="$image:$tag"
host="$manager.neon-registry-cache.cluster"

run() {
  echo "+ $*"
  if ! $dry_run; then
    "$@"
  fi
}

# The values travel to docker in its environment, named but not valued on its command line, so neither this
# script's output nor the process list ever shows the password.
settings=(--env "HOST=$host" --env "PORT=$port" --env "STORAGE_PATH=$store")
if [ -n "$remote_url" ]; then
  export REMOTE_URL=$remote_url
  settings+=(--env REMOTE_URL)
fi
if [ -n "$user" ]; then
  export USER=$user PASSWORD=$password
  settings+=(--env USER --env PASSWORD)
fi
if [ -f "$upstreams_file" ] && ! in_env_file UPSTREAMS_FILE; then
  settings+=(--env "UPSTREAMS_FILE=$upstreams_file")
fi
# Given first, so that the settings above (the script's own) win over the file's.
if [ -f "$env_file" ] || $dry_run; then
  settings=(--env-file "$env_file" "${settings[@]}")
fi
if [ "$network" = host ]; then
  network_options=(--network host)
else
  network_options=(--publish "$port:$port")
fi
health_options=()
if [ -n "$health_interval" ]; then
  health_options+=(--health-interval "$health_interval")
fi

echo "deploying $container on $manager: $reference (upstream ${remote_url:-from $env_file}${user:+ as $user})"
$dry_run || command -v docker >/dev/null 2>&1 || die "docker is not installed"
if ! $dry_run; then
  # Docker 25 (API 1.44) can probe a starting container more often than once an interval.
  api=$(docker version --format '{{.Server.APIVersion}}' 2>/dev/null || echo 0.0)
  if [ "${api%%.*}" -gt 1 ] || { [ "${api%%.*}" -eq 1 ] && [ "${api#*.}" -ge 44 ]; }; then
    health_options+=(--health-start-interval 2s)
  fi
fi

if $pull; then
  if ! run docker pull "$reference"; then
    echo "upgrade-cache.sh: could not pull $reference; the running cache was not touched" >&2
    exit 1
  fi
elif ! $dry_run && ! docker image inspect "$reference" >/dev/null 2>&1; then
  echo "upgrade-cache.sh: --no-pull, and this engine has no image $reference; the running cache was not touched" >&2
  exit 1
fi

exists() {
  docker container inspect "$1" >/dev/null 2>&1
}

# The running cache steps aside, stopped but kept (and not restarted by dockerd) until the new one serves.
previous=""
if $dry_run; then
  previous="(the running one)"
  run docker rename "$container" "$previous_name"
  run docker stop "$previous_name"
  run docker update --restart no "$previous_name"
elif exists "$container"; then
  previous=$(docker container inspect --format '{{.Config.Image}}' "$container")
  if exists "$previous_name"; then
    run docker rm --force "$previous_name" >/dev/null
  fi
  run docker rename "$container" "$previous_name"
  run docker stop "$previous_name" >/dev/null
  run docker update --restart no "$previous_name" >/dev/null
elif exists "$previous_name"; then
  # A run that was interrupted before the new container served: the one it set aside is still the last good one.
  previous=$(docker container inspect --format '{{.Config.Image}}' "$previous_name")
fi

# GET /healthz on the port the cache answers on, as a client on this node reaches it.
probe() (
  exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
  printf 'GET /healthz HTTP/1.0\r\nHost: %s\r\n\r\n' "$host" >&3
  IFS= read -r -t 5 status <&3 || exit 1
  [[ $status == "HTTP/1."?" 200"* ]]
) 2>/dev/null

# The new container is removed and the previous one started again; exits 3, or 4 if the previous does not serve.
roll_back() {
  echo "upgrade-cache.sh: the new $container ($reference) $1" >&2
  echo "its last log lines:" >&2
  docker logs --tail 20 "$container" 2>&1 | sed 's/^/  /' >&2 || true
  docker rm --force "$container" >/dev/null 2>&1 || true
  if [ -z "$previous" ]; then
    echo "upgrade-cache.sh: there was no cache before it; none is running" >&2
    exit 3
  fi
  echo "upgrade-cache.sh: putting back the previous $container ($previous)" >&2
  if docker rename "$previous_name" "$container" && docker update --restart always "$container" >/dev/null && docker start "$container" >/dev/null; then
    local deadline=$((SECONDS + timeout))
    while [ "$SECONDS" -lt "$deadline" ]; do
      if probe; then
        echo "upgrade-cache.sh: the previous $container ($previous) answers on port $port again" >&2
        exit 3
      fi
      sleep 1
    done
  fi
  echo "upgrade-cache.sh: the previous $container ($previous) did not come back: this node has no cache" >&2
  exit 4
}

if ! run docker run --detach --name "$container" --restart always \
  "${network_options[@]}" "${health_options[@]}" "${settings[@]}" \
  --volume "$config_dir:$config_dir:ro" \
  --volume "$volume:$store" \
  "$reference"; then
  roll_back "did not start"
fi

health_format='{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}'
if $dry_run; then
  echo "+ docker container inspect --format '$health_format' $container  (every second until healthy, at most ${timeout} s)"
  echo "+ GET http://127.0.0.1:$port/healthz"
  echo "+ docker rm $previous_name"
  exit 0
fi

deadline=$((SECONDS + timeout))
while :; do
  state=$(docker container inspect --format "$health_format" "$container" 2>/dev/null || echo "missing none")
  case "$state" in
    "running healthy")
      if probe; then
        break
      fi
      ;;
    *" unhealthy") roll_back "did not become healthy: its health check fails" ;;
    "missing none") roll_back "is gone" ;;
    running" none") roll_back "reports no health; is $reference an image of this registry?" ;;
    *" none" | *" starting")
      [[ $state == running* ]] || roll_back "stopped (state: ${state% *})"
      ;;
  esac
  if [ "$SECONDS" -ge "$deadline" ]; then
    roll_back "did not become healthy: still '$state' after ${timeout} s"
  fi
  sleep 1
done

if [ -n "$previous" ]; then
  docker rm "$previous_name" >/dev/null
fi
echo "$container is healthy: $reference answers on port $port as $host"
