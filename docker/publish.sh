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

# UseAppHost=false: the image starts the app as "dotnet neon-registry.dll", so no native launcher is shipped.
# --disable-build-servers: no compiler server or build node outlives the publish, in an image layer or a test.
dotnet publish src/Cache/NeonRegistry.Cache.csproj --configuration Release --output "$output" -p:UseAppHost=false \
  --disable-build-servers --nologo
