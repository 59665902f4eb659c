#!/usr/bin/env bash
# Publishes the registry the way the image ships it. The Dockerfile runs this script, and so does a test,
# which checks without a Docker engine that what it produces starts and serves /v2/.
#
# Usage: docker/publish.sh OUTPUT_DIRECTORY
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTPUT_DIRECTORY" >&2
  exit 2
fi
output=$(realpath -m "$1")
cd "$(dirname "$0")/.."

# One native executable, compiled ahead of time (PublishAot in the project): it needs clang and zlib's headers
# (Debian: clang zlib1g-dev) and is built for this machine's architecture.
case $(uname -m) in
  x86_64) rid=linux-x64 ;;
  aarch64 | arm64) rid=linux-arm64 ;;
  *) echo "publish.sh: no .NET runtime identifier for architecture $(uname -m)" >&2; exit 1 ;;
esac
# --disable-build-servers: no compiler server or build node outlives the publish, in an image layer or a test.
# DebugType=none: no symbol files beside the executable (stack traces keep their method names).
dotnet publish src/Cache/NeonRegistry.Cache.csproj --configuration Release --runtime "$rid" --output "$output" \
  -p:DebugType=none -p:DebugSymbols=false --disable-build-servers --nologo
