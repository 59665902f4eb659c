#!/usr/bin/env bash
# Makes a base image for the registry's runtime stage without pulling one: a minimal Debian bookworm
# (debootstrap --variant=minbase, from the Debian mirror apt already uses) with the libraries the native
# executable loads, imported into the local Docker engine as IMAGE. The root filesystem is cached in CACHE_DIR
# by date, so a second run on the same day only imports. For machines that cannot reach a container registry;
# docker/build.sh --local-base IMAGE then builds the image on it.
#
# Usage: docker/debian-base.sh [--cache-dir DIR] [--tarball-only] IMAGE
#   --cache-dir DIR   where the root filesystem tarball is kept (default: /var/cache/neon-registry-base)
#   --tarball-only    make (or reuse) the tarball and print its path; import nothing
# Needs root and debootstrap (Debian: debootstrap).
set -euo pipefail

die() {
  echo "debian-base.sh: $*" >&2
  exit 2
}

cache_dir=/var/cache/neon-registry-base
tarball_only=false
image=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cache-dir)
      [ $# -ge 2 ] || die "--cache-dir needs a value"
      cache_dir=$2
      shift
      ;;
    --tarball-only) tarball_only=true ;;
    -h | --help)
      sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
      exit 0
      ;;
    -*) die "unknown argument '$1' (see --help)" ;;
    *) image=$1 ;;
  esac
  shift
done
$tarball_only || [ -n "$image" ] || die "name the image to import (see --help)"
[ "$(id -u)" -eq 0 ] || die "debootstrap needs root"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed (Debian: apt-get install debootstrap)"

# The first Debian archive (not the security one) in apt's sources, one-line or deb822 format.
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
  sed -nE 's/^deb +(\[[^]]*\] +)?([a-z]+:[^ ]+).*/\2/p; s/^URIs: *([^ ]+).*/\1/p' | grep -v security | head -n 1 || true)
mirror=${mirror:-http://deb.debian.org/debian}

# The runtime-deps image's libraries that the executable loads: OpenSSL for https upstreams, the CA bundle.
packages=ca-certificates,libssl3
mkdir -p "$cache_dir"
tarball="$cache_dir/bookworm-minbase-$(date -u +%Y%m%d).tar"
exec 9>"$cache_dir/.lock"
flock 9
if [ ! -s "$tarball" ]; then
  root=$(mktemp -d "$cache_dir/root.XXXXXX")
  trap 'rm -rf "$root" "$tarball.partial"' EXIT
  echo "debootstrap bookworm from $mirror into $root" >&2
  debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror" >&2
  # No apt lists or caches in the image; they are only the download's leftovers.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
  # mktemp made it 0700; it becomes the image's /, which every user must be able to enter.
  chmod 755 "$root"
  tar --numeric-owner -C "$root" -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
  # Yesterday's tarballs are superseded by today's.
  find "$cache_dir" -maxdepth 1 -name 'bookworm-minbase-*.tar' ! -path "$tarball" -delete
fi
if $tarball_only; then
  echo "$tarball"
  exit 0
fi
command -v docker >/dev/null 2>&1 || die "docker is not installed"
docker import "$tarball" "$image" >&2
echo "$image"
