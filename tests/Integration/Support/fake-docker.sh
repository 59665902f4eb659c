#!/usr/bin/env bash
# A stand-in for the docker CLI, for testing scripts where no Docker engine runs. Installed as "docker" first on
# PATH, it appends each call to $FAKE_DOCKER_DIR/calls (one line, arguments joined by spaces) and answers as
# docker would from the state in $FAKE_DOCKER_DIR: containers/NAME holds "STATUS IMAGE".
#   FAKE_DOCKER_PULL_FAILS=1   every pull fails as for an image the registry does not have
#   FAKE_DOCKER_HEALTH         the health a started container reports, one word per inspect, the last repeating
#                              (default "healthy"); "none" for an image without a health check
set -euo pipefail

state=${FAKE_DOCKER_DIR:?FAKE_DOCKER_DIR must name the stand-in docker state directory}
mkdir -p "$state/containers"
echo "$*" >>"$state/calls"

no_such_container() {
  echo "Error response from daemon: No such container: $1" >&2
  exit 1
}

# The health word for this inspect: the next word of FAKE_DOCKER_HEALTH, and its last word once they run out.
next_health() {
  local -a words
  read -r -a words <<<"${FAKE_DOCKER_HEALTH:-healthy}"
  local seen=0
  if [ -f "$state/health-count" ]; then
    seen=$(cat "$state/health-count")
  fi
  echo $((seen + 1)) >"$state/health-count"
  local index=$((seen < ${#words[@]} ? seen : ${#words[@]} - 1))
  echo "${words[$index]}"
}

command=$1
shift
case "$command" in
  pull)
    if [ "${FAKE_DOCKER_PULL_FAILS:-}" = 1 ]; then
      echo "Error response from daemon: manifest for $1 not found: manifest unknown: manifest unknown" >&2
      exit 1
    fi
    echo "Status: Downloaded newer image for $1"
    ;;
  container)
    [ "$1" = inspect ] || { echo "fake docker: container $1 is not supported" >&2; exit 1; }
    format=$3
    name=$4
    [ -f "$state/containers/$name" ] || no_such_container "$name"
    read -r status image <"$state/containers/$name"
    case "$format" in
      *Config.Image*) echo "$image" ;;
      *State.Health*) echo "$status $(next_health)" ;;
      *) echo "fake docker: inspect format $format is not supported" >&2; exit 1 ;;
    esac
    ;;
  rm)
    name=${*: -1}
    [ -f "$state/containers/$name" ] || no_such_container "$name"
    rm "$state/containers/$name"
    echo "$name"
    ;;
  run)
    name=""
    previous=""
    for argument in "$@"; do
      if [ "$previous" = --name ]; then
        name=$argument
      fi
      previous=$argument
    done
    image=${*: -1}
    if [ -f "$state/containers/$name" ]; then
      echo "docker: Error response from daemon: Conflict. The container name \"/$name\" is already in use." >&2
      exit 125
    fi
    echo "running $image" >"$state/containers/$name"
    # What the container would be given through --env NAME: the values are in this process's environment.
    printf 'REMOTE_URL=%s\nUSER=%s\nPASSWORD=%s\n' "${REMOTE_URL:-}" "${USER:-}" "${PASSWORD:-}" >"$state/run-environment"
    echo "4f1c0ffee0ddba11"
    ;;
  logs)
    echo "[12:00:00 ERR] neon-registry-cache could not reach the upstream"
    ;;
  build | push)
    echo "fake docker: $command done"
    ;;
  *)
    echo "fake docker: $command is not supported" >&2
    exit 1
    ;;
esac
