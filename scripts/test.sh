#!/usr/bin/env bash
# Runs the whole test suite: tests/Shared.Tests, tests/Integration and tests/Deployment. On a fresh machine it
# first installs what the tests drive for real: skopeo (the registry client), docker-registry (CNCF
# distribution, the reference registry), shellcheck (which a test runs over every shell script), clang with
# zlib's headers (a test publishes the registry the way its image does, compiled ahead of time), iproute2 and
# curl (a test gives the registry a network namespace of its own, to listen on every address while only
# loopback exists), chromium (the web pages are tested in a real browser), the container engines the deployment
# tests start their own instances of: docker.io (dockerd), containerd (ctr), podman and buildah, and debootstrap
# (a Debian base image made without pulling one), and Ceph with ceph-fuse (the shared-store tests run two
# instances on a throwaway CephFS, scripts/ceph-cluster.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v clang >/dev/null 2>&1 || missing+=(clang)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v strace >/dev/null 2>&1 || missing+=(strace)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/dockerd ] || missing+=(docker.io)
[ -x /usr/bin/containerd ] || missing+=(containerd)
[ -x /usr/bin/podman ] || missing+=(podman)
[ -x /usr/bin/buildah ] || missing+=(buildah)
[ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
for ceph in ceph-mon ceph-mgr ceph-osd ceph-mds ceph-fuse; do
  command -v "$ceph" >/dev/null 2>&1 || missing+=("$ceph")
done
command -v ceph >/dev/null 2>&1 || missing+=(ceph-common)
command -v fusermount3 >/dev/null 2>&1 || missing+=(fuse3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} from Debian"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
status=0
# One build, then the storage tests beside the integration tests, as dotnet test runs a solution's projects, and
# the deployment tests after both: building the image loads every core for minutes, which would starve the
# integration tests' servers into their timeouts.
dotnet build NeonRegistry.slnx --nologo -v q 2>&1 | tee "$logs/build" || status=$?
if [ "$status" -eq 0 ]; then
  (dotnet test tests/Shared.Tests --no-build --nologo 2>&1 | tee "$logs/shared") &
  shared=$!
  dotnet test tests/Integration --no-build --nologo 2>&1 | tee "$logs/integration" || status=$?
  wait "$shared" || status=$?
  dotnet test tests/Deployment --no-build --nologo 2>&1 | tee "$logs/deployment" || status=$?
fi

# One closing line for the whole run, summed over the test projects.
awk '/(Passed|Failed)! +- +Failed:/ {
       for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { gsub(",", "", p); printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$logs"/*
exit "$status"
