#!/usr/bin/env bash
# A throwaway single-host Ceph cluster with a CephFS, for the tests and the benchmark: one monitor, one manager,
# one OSD on memstore (RAM, capped), one metadata server, pool size 1, cephx on, every daemon on 127.0.0.1 with
# ports from a base the caller chooses, and ceph-fuse mounts of the file system (one per "node").
#
#   ceph-cluster.sh up DIR PORT_BASE [MOUNTS]   start the cluster in DIR and mount it MOUNTS times (default 2)
#                                                at DIR/mnt/1, DIR/mnt/2, ...; prints "ready" when all are mounted
#   ceph-cluster.sh down DIR                     unmount, stop every daemon started in DIR, remove DIR
#   ceph-cluster.sh kill-client DIR N            SIGKILL mount N's ceph-fuse, as when its node is lost: the mount
#                                                answers "Transport endpoint is not connected", and the metadata
#                                                server keeps the client's session (and its locks) until it evicts it
#   ceph-cluster.sh evict DIR N                  evict mount N's client session from the metadata server now;
#                                                prints the client id
#   ceph-cluster.sh remount DIR N                detach mount N (dead or alive) and mount the file system there again
#
# The monitor listens on PORT_BASE (msgr2) and PORT_BASE+1 (msgr1); the other daemons bind in
# PORT_BASE+100..PORT_BASE+199. No systemd: the daemons run in the background and their pids go to DIR/pids.
set -euo pipefail

usage() { echo "usage: $0 up DIR PORT_BASE [MOUNTS] | down DIR | kill-client|evict|remount DIR N" >&2; exit 2; }

wait_for() { # description, seconds, command...
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq $((seconds * 5))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "ceph-cluster: timed out after ${seconds}s waiting for $what" >&2
  return 1
}

write_config() { # dir, port base, fsid
  local dir=$1 base=$2 fsid=$3
  cat >"$dir/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$base,v1:127.0.0.1:$((base + 1))]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind port min = $((base + 100))
ms bind port max = $((base + 199))
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
keyring = $dir/keyring
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
osd pool default size = 1
osd pool default min size = 1
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
mgr initial modules =
[mon]
mon data = $dir/mon/\$id
[mgr]
mgr data = $dir/mgr/\$id
[osd]
osd data = $dir/osd/\$id
osd objectstore = memstore
memstore device bytes = 1610612736
osd max object name len = 256
osd max object namespace len = 64
[mds]
mds data = $dir/mds/\$id
# The metadata server revokes and grants capabilities on its tick: at the default 5 s, a rename over a file
# another client is reading stalls that reader for seconds.
mds tick interval = 1
EOF
}

up() {
  local dir=$1 base=$2 mounts=${3:-2}
  if [ -e "$dir/ceph.conf" ]; then echo "ceph-cluster: $dir already holds a cluster" >&2; exit 1; fi
  mkdir -p "$dir"/{run,log,mon/a,mgr/x,osd/0,mds/a,mnt}
  : >"$dir/pids"
  local fsid conf=$dir/ceph.conf
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_config "$dir" "$base" "$fsid"

  # Every key in one keyring: the monitor imports them all when it creates its store.
  ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$dir/keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool "$dir/keyring" --gen-key -n mgr.x --cap mon 'allow profile mgr' --cap osd 'allow *' --cap mds 'allow *' >/dev/null
  ceph-authtool "$dir/keyring" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap mgr 'allow profile osd' --cap osd 'allow *' >/dev/null
  ceph-authtool "$dir/keyring" --gen-key -n mds.a --cap mon 'allow profile mds' --cap osd 'allow rwx' --cap mds 'allow *' --cap mgr 'allow profile mds' >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$base,v1:127.0.0.1:$((base + 1))]" "$dir/monmap" >/dev/null

  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring"
  ceph-mon -c "$conf" -i a 2>>"$dir/log/daemons.err"
  wait_for "the monitor" 30 ceph -c "$conf" --connect-timeout 2 mon stat

  ceph-mgr -c "$conf" -i x 2>>"$dir/log/daemons.err"

  local uuid id
  uuid=$(cat /proc/sys/kernel/random/uuid)
  id=$(ceph -c "$conf" osd new "$uuid")
  ceph-osd -c "$conf" -i "$id" --mkfs --osd-uuid "$uuid" 2>>"$dir/log/mkfs.log"
  ceph-osd -c "$conf" -i "$id" 2>>"$dir/log/daemons.err"
  wait_for "the OSD" 60 bash -c "ceph -c '$conf' osd stat | grep -q '1 up'"

  ceph -c "$conf" osd pool create cephfs_metadata 8 >/dev/null 2>&1
  ceph -c "$conf" osd pool create cephfs_data 8 >/dev/null 2>&1
  ceph -c "$conf" fs new cephfs cephfs_metadata cephfs_data >/dev/null 2>&1
  ceph-mds -c "$conf" -i a >>"$dir/log/daemons.err" 2>&1
  wait_for "the metadata server" 60 bash -c "ceph -c '$conf' mds stat | grep -q 'up:active'"

  for n in $(seq "$mounts"); do
    mount_fs "$dir" "$n"
  done
  echo ready
}

# Gone or a zombie: the container's init may be slow to reap what it inherits.
dead() { [ ! -e "/proc/$1" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

mount_fs() { # dir, mount number
  local dir=$1 n=$2
  mkdir -p "$dir/mnt/$n"
  rm -f "$dir/run/fuse-$n.pid"
  ceph-fuse -c "$dir/ceph.conf" --id admin "$dir/mnt/$n" --client-mountpoint=/ \
    --admin-socket "$dir/run/fuse-$n.asok" --log-file "$dir/log/fuse-$n.log" --pid-file "$dir/run/fuse-$n.pid" \
    >>"$dir/log/fuse-$n.out" 2>&1
  wait_for "mount $n" 30 mountpoint -q "$dir/mnt/$n"
}

kill_client() { # dir, mount number
  local dir=$1 n=$2 pid
  pid=$(cat "$dir/run/fuse-$n.pid")
  cp "$dir/run/fuse-$n.pid" "$dir/run/fuse-$n.killed"
  kill -9 "$pid"
  wait_for "ceph-fuse $pid to die" 10 dead "$pid"
}

evict() { # dir, mount number
  local dir=$1 n=$2 pid id
  pid=$(cat "$dir/run/fuse-$n.killed" 2>/dev/null || cat "$dir/run/fuse-$n.pid")
  id=$(ceph -c "$dir/ceph.conf" tell mds.a client ls 2>/dev/null | python3 -c '
import json, sys
print(" ".join(str(s["id"]) for s in json.load(sys.stdin) if str(s["client_metadata"].get("pid")) == sys.argv[1]))' "$pid")
  [ -n "$id" ] || { echo "ceph-cluster: no session of ceph-fuse $pid" >&2; return 1; }
  ceph -c "$dir/ceph.conf" tell mds.a client evict "id=$id" >/dev/null 2>&1
  echo "$id"
}

remount() { # dir, mount number
  local dir=$1 n=$2
  fusermount3 -uz "$dir/mnt/$n" 2>/dev/null || umount -l "$dir/mnt/$n" 2>/dev/null || true
  mount_fs "$dir" "$n"
}

down() {
  local dir=$1
  [ -d "$dir" ] || return 0
  local mnt pidfile
  for mnt in "$dir"/mnt/*; do
    if mountpoint -q "$mnt" 2>/dev/null || ! stat "$mnt" >/dev/null 2>&1; then
      fusermount3 -uz "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
    fi
  done
  # Clients first, then the metadata server, then the rest; each by the pid it wrote, never by name.
  for pidfile in "$dir"/run/fuse-*.pid "$dir"/run/mds.*.pid "$dir"/run/mgr.*.pid "$dir"/run/osd.*.pid "$dir"/run/mon.*.pid; do
    [ -f "$pidfile" ] || continue
    kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 0.2
  for mnt in "$dir"/mnt/*; do
    fusermount3 -uz "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
  done
  rm -rf "$dir"
}

case "${1:-}" in
  up) [ $# -ge 3 ] || usage; up "$2" "$3" "${4:-2}" ;;
  down) [ $# -eq 2 ] || usage; down "$2" ;;
  kill-client) [ $# -eq 3 ] || usage; kill_client "$2" "$3" ;;
  evict) [ $# -eq 3 ] || usage; evict "$2" "$3" ;;
  remount) [ $# -eq 3 ] || usage; remount "$2" "$3" ;;
  *) usage ;;
esac
