#!/usr/bin/env bash
# Builds the registry's image from this checkout and tags it BRANCH-DATE-COMMIT (the UTC date as YYYYMMDD,
# the short commit), with "-dirty" when the tree has uncommitted changes or untracked files, so a tag always
# tells where its image came from. A production build must come from a clean main and is also tagged latest.
#
# Usage: docker/build.sh [--dry-run] [--push] [--production] [--image NAME] [--local-base IMAGE]
#   --dry-run           print the tags and the commands, and run none of them
#   --push              push every tag after the build
#   --production        also tag latest; refused unless the checkout is a clean main
#   --image NAME        the repository to tag, e.g. registry.example.com/neon-registry (default: neon-registry)
#   --local-base IMAGE  build offline: publish the registry here with docker/publish.sh (needs the .NET SDK,
#                       clang and zlib1g-dev) and put it on IMAGE, an image the engine already has, instead
#                       of compiling in the SDK image on the runtime-deps image (docker/debian-base.sh makes
#                       one). The same Dockerfile builds it, with BuildKit, so that only the stages it needs run.
set -euo pipefail

die() {
  echo "build.sh: $*" >&2
  exit 2
}

dry_run=false
push=false
production=false
image=neon-registry
local_base=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=true ;;
    --push) push=true ;;
    --production) production=true ;;
    --image)
      [ $# -ge 2 ] || die "--image needs a value"
      image=$2
      shift
      ;;
    --local-base)
      [ $# -ge 2 ] || die "--local-base needs a value"
      local_base=$2
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

cd "$(dirname "$0")/.."
git rev-parse --verify --quiet HEAD >/dev/null || die "no commit to tag: run it in a git checkout with a commit"

branch=$(git rev-parse --abbrev-ref HEAD)
if [ "$branch" = HEAD ]; then
  branch=detached
fi
# A tag allows [A-Za-z0-9_.-] and 128 characters: feature/x becomes feature-x.
branch_tag=$(printf '%s' "$branch" | tr -c 'A-Za-z0-9_.-' '-' | cut -c1-90)
dirty=""
if [ -n "$(git status --porcelain)" ]; then
  dirty=-dirty
fi
tag="$branch_tag-$(date -u +%Y%m%d)-$(git rev-parse --short HEAD)$dirty"

tags=("$image:$tag")
if $production; then
  if [ "$branch" != main ] || [ -n "$dirty" ]; then
    die "a production build must come from a clean main; this is '$branch'${dirty:+ with uncommitted changes or untracked files}"
  fi
  tags+=("$image:latest")
fi

run() {
  echo "+ $*"
  if ! $dry_run; then
    "$@"
  fi
}

for t in "${tags[@]}"; do
  echo "tag: $t"
done

command -v docker >/dev/null 2>&1 || $dry_run || die "docker is not installed"
build=(docker build --file docker/Dockerfile --label "org.opencontainers.image.revision=$(git rev-parse HEAD)")
if [ -n "$local_base" ]; then
  # Inside the context (the repository), ignored by git so that it does not make the tag dirty.
  published=artifacts/image-app
  run rm -rf "$published"
  run bash docker/publish.sh "$published"
  # --network none: the steps left need no network, and an engine without a bridge (bridge: none) has no other.
  build+=(--network none --build-arg "RUNTIME_IMAGE=$local_base" --build-arg APP_FROM=published --build-arg "PUBLISHED=$published")
fi
for t in "${tags[@]}"; do
  build+=(--tag "$t")
done
if [ -n "$local_base" ]; then
  # The classic builder would also run the SDK stage, which needs the network.
  echo "+ DOCKER_BUILDKIT=1"
  export DOCKER_BUILDKIT=1
fi
run "${build[@]}" .
if $push; then
  for t in "${tags[@]}"; do
    run docker push "$t"
  done
fi
