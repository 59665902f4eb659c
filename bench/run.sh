#!/usr/bin/env bash
# Benchmarks neon-registry against the reference registry, CNCF distribution (Debian's docker-registry), side
# by side on loopback in one run, and prints one table: each figure for ours, the reference, their ratio, and
# nginx serving the same bytes as a static file where that is the ceiling.
#
# Both sides get the same setup: one login (an htpasswd file, bcrypt), a primary with one request log line per
# request, and a pull-through cache in front of that primary (ours with REMOTE_URL, distribution with its proxy
# section) that asks the same login of its clients. Upstream requests are counted from the primary's request log.
#
# Usage: bench/run.sh [--quick] [--registry-dir DIR] [--logs DIR] [--no-cephfs | --ceph-ports BASE]
#   --quick             small layers (1, 4, 16 MiB), one repetition, short load runs: a smoke run of a minute or two
#   --registry-dir DIR  use a registry already published there (docker/publish.sh DIR) instead of publishing one
#   --logs DIR          keep every process's log (request lines included) and every run's values in DIR
#   --no-cephfs         skip the CephFS table (a throwaway Ceph cluster, scripts/ceph-cluster.sh, ports 23500-23699,
#                       with ours and the reference on one ceph-fuse mount); skipped anyway when Ceph is not installed
#   --ceph-ports BASE   the CephFS cluster's ports: BASE, BASE+1 and BASE+100..BASE+199 (default 23500), so that a
#                       run can go beside the suite's cluster or another run's
#   --no-peers          skip the peers table (three of our cache nodes that are each other's PEERS; ours only)
# Exit status: 0 when every figure was measured; 1 when a registry failed a pull or a figure is missing; 2 for
# bad arguments.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

quick=false
cephfs=true
ceph_ports=23500
peers_bench=true
registry_dir=""
keep_logs=""
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=true ;;
    --registry-dir) registry_dir=${2:?--registry-dir needs a directory}; shift ;;
    --logs) keep_logs=${2:?--logs needs a directory}; shift ;;
    --no-cephfs) cephfs=false ;;
    --ceph-ports) ceph_ports=${2:?--ceph-ports needs a port}; shift ;;
    --no-peers) peers_bench=false ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

if $quick; then
  mib=(1 4 16)
  reps=1
  load_seconds=2
  copy_timeout=120
else
  mib=(1 32 256)
  reps=3
  load_seconds=5
  copy_timeout=300
fi
big_bytes=$((mib[2] * 1024 * 1024))
small_bytes=(8192 65536 524288)
concurrent_pulls=20
connections=64

user=bench
password=bench-password-0123
secret=bench-secret-0123456789-0123456789-abcdef
login="$user:$password"
auth_b64=$(printf '%s' "$login" | base64 -w0)
accept="application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json"
clk_tck=$(getconf CLK_TCK)

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------------------------------------------------------
# Tools: Debian packages, installed only when missing. dotnet is the project's own prerequisite.

missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# docker/publish.sh compiles the registry ahead of time, as its image ships it.
command -v clang >/dev/null 2>&1 || missing+=(clang)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} from Debian"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null 2>&1 || { echo "dotnet (the .NET 10 SDK) is required" >&2; exit 1; }
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)

# ---------------------------------------------------------------------------------------------------------------
# Processes, temp files and cleanup. Every process started here is remembered by pid and ended on exit.

work=$(mktemp -d /tmp/neon-bench.XXXXXX)
# nginx's workers drop root and must be able to read the files they serve.
chmod 755 "$work"
mkdir -p "$work/logs" "$work/images" "$work/pulls" "$work/www" "$work/nginx"

declare -A pid=() port=() peak_kb=() cpu_ticks=() store_of=() fixed_port=()
children=()
failures=()
used_ports=" "

cleanup() {
  local status=$? p
  trap - EXIT INT TERM
  for p in "${pid[@]}" "${children[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${pid[@]}" "${children[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$p" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$p" 2>/dev/null || true
  done
  if [ -n "$keep_logs" ]; then
    if mkdir -p "$keep_logs"; then cp "$work"/logs/*.log "$work"/values.txt "$keep_logs"/ 2>/dev/null || true; fi
  fi
  if [ "$status" -ne 0 ]; then
    for p in "$work"/logs/*.log; do
      [ -s "$p" ] || continue
      echo "--- last lines of $(basename "$p")" >&2
      tail -n 8 "$p" >&2
    done
  fi
  if [ -f "$work/ceph/ceph.conf" ]; then bash "$root/scripts/ceph-cluster.sh" down "$work/ceph" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
  log "ERROR: $*"
  exit 1
}

# A figure that could not be measured: the run goes on, the table shows it missing, and the exit status is 1.
fail() {
  failures+=("$*")
  log "FAILED: $*"
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

# Sets PICKED to a loopback port nothing listens on and this run has not used.
pick_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 40000))
    # 23000-23999 is the suite's and the CephFS cluster's fixed range.
    if [ "$p" -ge 23000 ] && [ "$p" -le 23999 ]; then continue; fi
    if [ "$p" -ge "$ceph_ports" ] && [ "$p" -le $((ceph_ports + 199)) ]; then continue; fi
    case $used_ports in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      used_ports+="$p "
      PICKED=$p
      return
    fi
  done
  die "found no free loopback port"
}

# ---------------------------------------------------------------------------------------------------------------
# Registries

if [ -z "$registry_dir" ]; then
  registry_dir=$work/publish
  log "publishing neon-registry (Release) with docker/publish.sh"
  timeout 600 bash "$root/docker/publish.sh" "$registry_dir" >"$work/logs/publish.log" 2>&1 || die "docker/publish.sh failed: $(tail -n 20 "$work/logs/publish.log")"
fi
[ -x "$registry_dir/neon-registry" ] || die "no neon-registry executable in $registry_dir"

# One login for all four registries: htpasswd's bcrypt (its default cost) for distribution and for our cache;
# our primary takes the same user and password as USERNAME/PASSWORD.
htpasswd -Bbn "$user" "$password" >"$work/htpasswd" 2>/dev/null

base_env=(PATH="$PATH" HOME="$HOME")
[ -n "${DOTNET_ROOT:-}" ] && base_env+=(DOTNET_ROOT="$DOTNET_ROOT")

# start_registry ROLE: ROLE is ours-primary, ours-cache, ref-primary or ref-cache; a cache's store starts empty.
start_registry() {
  local role=$1 store=${store_of[$1]:-$work/store/$1} upstream
  rm -rf "$store"
  mkdir -p "$store"
  if [ -n "${fixed_port[$role]:-}" ]; then
    port[$role]=${fixed_port[$role]}
  else
    pick_port
    port[$role]=$PICKED
  fi
  case $role in
    ours-primary | ours-ceph)
      env -i "${base_env[@]}" USERNAME="$user" PASSWORD="$password" SECRET="$secret" STORAGE_PATH="$store" PORT="${port[$role]}" \
        LOG_LEVEL=info HOST="$role" "$registry_dir/neon-registry" --urls "http://127.0.0.1:${port[$role]}" >>"$work/logs/$role.log" 2>&1 &
      ;;
    ours-cache)
      env -i "${base_env[@]}" REMOTE_URL="http://127.0.0.1:${port[ours-primary]}" USER="$user" PASSWORD="$password" \
        HTPASSWD_FILE="$work/htpasswd" STORAGE_PATH="$store" PORT="${port[$role]}" LOG_LEVEL=info HOST="$role" \
        "$registry_dir/neon-registry" --urls "http://127.0.0.1:${port[$role]}" >>"$work/logs/$role.log" 2>&1 &
      ;;
    ours-peer-*)
      # Every node lists all three; each names itself by host:port, since they share 127.0.0.1.
      env -i "${base_env[@]}" REMOTE_URL="http://127.0.0.1:${port[ours-primary]}" USER="$user" PASSWORD="$password" \
        HTPASSWD_FILE="$work/htpasswd" STORAGE_PATH="$store" PORT="${port[$role]}" LOG_LEVEL=info HOST="127.0.0.1:${port[$role]}" \
        PEERS="$peers" SECRET="$secret" "$registry_dir/neon-registry" --urls "http://127.0.0.1:${port[$role]}" >>"$work/logs/$role.log" 2>&1 &
      ;;
    ref-primary | ref-cache | ref-ceph)
      {
        printf 'version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: false\n'
        printf 'storage:\n  filesystem:\n    rootdirectory: %s\n  cache:\n    blobdescriptor: inmemory\n  delete:\n    enabled: true\n' "$store"
        printf 'http:\n  addr: 127.0.0.1:%s\n  secret: %s\n' "${port[$role]}" "$secret"
        printf 'auth:\n  htpasswd:\n    realm: bench\n    path: %s\n' "$work/htpasswd"
        if [ "$role" = ref-cache ]; then
          # distribution 2.8's proxy keeps proxy.username/password only for bearer-token realms: against a
          # Basic challenge it sends no login. So it reaches its primary through nginx, which adds the login.
          upstream=${port[ref-login]}
          printf 'proxy:\n  remoteurl: http://127.0.0.1:%s\n' "$upstream"
        fi
      } >"$work/$role.yml"
      env -i "${base_env[@]}" docker-registry serve "$work/$role.yml" >>"$work/logs/$role.log" 2>&1 &
      ;;
    *) die "unknown role $role" ;;
  esac
  pid[$role]=$!
  local deadline=$((SECONDS + 60)) code
  while true; do
    kill -0 "${pid[$role]}" 2>/dev/null || die "$role exited while starting"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -u "$login" "http://127.0.0.1:${port[$role]}/v2/" || true)
    [ "$code" = 200 ] && break
    [ $SECONDS -lt $deadline ] || die "$role did not answer /v2/ with 200 within 60 s (last status $code)"
    sleep 0.1
  done
  # A few logged-in requests, so that first-request costs (JIT, first bcrypt) are not in the first figure.
  for _ in $(seq 20); do
    curl -s -o /dev/null --max-time 5 -u "$login" "http://127.0.0.1:${port[$role]}/v2/" || true
  done
  STARTED_RSS_KB=$(awk '/^VmRSS:/ { print $2 }' "/proc/${pid[$role]}/status")
}

# Adds ROLE's peak RSS (VmHWM) and CPU time (utime + stime) so far to its totals; a restarted role keeps the
# highest peak and the sum of CPU over its processes.
account() {
  local role=$1 p=${pid[$1]} hwm ticks
  hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status") || die "cannot read /proc/$p/status of $role"
  ticks=$(sed 's/^.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }') || die "cannot read /proc/$p/stat of $role"
  if [ "${peak_kb[$role]:-0}" -lt "$hwm" ]; then peak_kb[$role]=$hwm; fi
  cpu_ticks[$role]=$((${cpu_ticks[$role]:-0} + ticks))
}

# Sets TICKS to ROLE's CPU time so far, in clock ticks.
cpu_now() {
  TICKS=$(sed 's/^.*) //' "/proc/${pid[$1]}/stat" | awk '{ print $12 + $13 }')
}

ticks_to_seconds() { awk -v t="$1" -v hz="$clk_tck" 'BEGIN { printf "%.2f", t / hz }'; }

stop_registry() {
  local role=$1 p=${pid[$1]}
  account "$role"
  kill "$p" 2>/dev/null || true
  for _ in $(seq 150); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  unset "pid[$role]"
}

# nginx: the static-file ceiling, and the hop that adds the login between distribution's cache and its primary.
start_nginx() {
  pick_port
  port[nginx]=$PICKED
  pick_port
  port[ref-login]=$PICKED
  cat >"$work/nginx/nginx.conf" <<END
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/logs/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log $work/logs/nginx-access.log;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
  types { application/vnd.oci.image.manifest.v1+json json; application/octet-stream bin; }
  server {
    listen 127.0.0.1:${port[nginx]};
    root $work/www;
  }
  upstream ref_primary {
    server 127.0.0.1:${port[ref-primary]};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port[ref-login]};
    access_log off;
    location / {
      proxy_pass http://ref_primary;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header Authorization "Basic $auth_b64";
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
END
  "$nginx_bin" -p "$work/nginx" -e "$work/logs/nginx-error.log" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
  pid[nginx]=$!
  local deadline=$((SECONDS + 30))
  until curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:${port[nginx]}/manifest.json"; do
    kill -0 "${pid[nginx]}" 2>/dev/null || die "nginx exited while starting"
    [ $SECONDS -lt $deadline ] || die "nginx did not serve within 30 s"
    sleep 0.1
  done
}

# ---------------------------------------------------------------------------------------------------------------
# Test images, in skopeo's dir: layout. Layers are random bytes with the uncompressed layer media type (so the
# configs' diff_ids are the layers' digests); skopeo copies them byte for byte with --preserve-digests.

# make_image DIR SIZE_IN_BYTES... ; sets DIGEST to the manifest's digest and LAST_LAYER to the last layer's.
make_image() {
  local dir=$1 size d layers="" diff_ids="" config config_digest
  shift
  mkdir -p "$dir"
  printf 'Directory Transport Version: 1.1\n' >"$dir/version"
  for size in "$@"; do
    head -c "$size" /dev/urandom >"$dir/layer.tmp"
    d=$(sha256sum "$dir/layer.tmp" | cut -d' ' -f1)
    mv "$dir/layer.tmp" "$dir/$d"
    layers+="${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:$d\",\"size\":$size}"
    diff_ids+="${diff_ids:+,}\"sha256:$d\""
    LAST_LAYER=sha256:$d
  done
  config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$diff_ids]}}"
  printf '%s' "$config" >"$dir/config.tmp"
  config_digest=$(sha256sum "$dir/config.tmp" | cut -d' ' -f1)
  mv "$dir/config.tmp" "$dir/$config_digest"
  printf '%s' "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$config_digest\",\"size\":${#config}},\"layers\":[$layers]}" >"$dir/manifest.json"
  DIGEST=sha256:$(sha256sum "$dir/manifest.json" | cut -d' ' -f1)
}

# ---------------------------------------------------------------------------------------------------------------
# Results: VALUES["figure|side"] holds one value per repetition; the table shows medians.

declare -A VALUES=()
record() {
  VALUES["$1|$2"]+="$3 "
  printf '%s %s %s\n' "$1" "$2" "$3" >>"$work/values.txt"
}

# copy_timed SRC DEST: one skopeo copy; sets SECS. Returns 1 (after fail) when skopeo fails.
copy_timed() {
  local start
  # The previous copy's files are still being written back: without this, whichever copy comes next pays for it.
  sync
  start=$(now)
  if ! timeout "$copy_timeout" skopeo --insecure-policy copy --quiet --preserve-digests \
    --src-tls-verify=false --dest-tls-verify=false --src-creds "$login" --dest-creds "$login" "$1" "$2" >>"$work/logs/skopeo.log" 2>&1; then
    fail "skopeo copy $1 $2 failed: $(tail -n 2 "$work/logs/skopeo.log" | tr '\n' ' ')"
    return 1
  fi
  SECS=$(since "$start")
}

# pull_timed REGISTRY_URL_HOSTPORT REPO EXPECTED_MANIFEST_FILE: pulls REPO:v1 into a fresh directory, checks the
# manifest is byte for byte the pushed one, and removes it; sets SECS.
pull_timed() {
  local dest
  dest=$(mktemp -d "$work/pulls/pull.XXXXXX")
  copy_timed "docker://$1/$2:v1" "dir:$dest" || { rm -rf "$dest"; return 1; }
  if ! cmp -s "$dest/manifest.json" "$3"; then
    rm -rf "$dest"
    fail "pull of $2 from $1 gave another manifest than the one pushed"
    return 1
  fi
  rm -rf "$dest"
}

# load URL: one wrk run of load_seconds at $connections connections; sets RPS P50 P99 REQUESTS. A response with
# an error status makes the figure fail.
load() {
  local out line bad
  out=$(BENCH_AUTH="$auth_b64" BENCH_ACCEPT="$accept" timeout $((load_seconds + 60)) \
    wrk -t2 -c"$connections" -d"${load_seconds}s" --timeout 10s -s "$here/manifest.lua" "$1" 2>&1) || { fail "wrk on $1 failed: $out"; return 1; }
  line=$(grep '^result ' <<<"$out") || { fail "wrk on $1 printed no result: $out"; return 1; }
  RPS=$(sed -n 's/.* rps=\([^ ]*\).*/\1/p' <<<"$line")
  P50=$(sed -n 's/.* p50_ms=\([^ ]*\).*/\1/p' <<<"$line")
  P99=$(sed -n 's/.* p99_ms=\([^ ]*\).*/\1/p' <<<"$line")
  REQUESTS=$(sed -n 's/.* requests=\([^ ]*\).*/\1/p' <<<"$line")
  bad=$(sed -n 's/.* bad_status=\([^ ]*\).*/\1/p' <<<"$line")
  if [ "$bad" != 0 ] || [ "$REQUESTS" = 0 ]; then
    fail "$1 answered $bad of $REQUESTS requests with an error status"
    return 1
  fi
  if ! grep -q ' socket_errors=0 timeouts=0' <<<"$line"; then
    log "note: $1: $line"
  fi
}

# Short warm-up load, not recorded: connections open and, for ours, the JIT has tiered up.
warm() {
  BENCH_AUTH="$auth_b64" BENCH_ACCEPT="$accept" timeout 60 \
    wrk -t2 -c"$connections" -d1s --timeout 10s -s "$here/manifest.lua" "$1" >/dev/null 2>&1 || true
}

# download URL N [ROLE]: N parallel GETs of the big layer; sets MIBS to the aggregate MiB/s and, with ROLE, CPU_PER_GIB
# to the CPU seconds ROLE spent per GiB sent.
download() {
  local url=$1 n=$2 role=${3:-} i start secs code size ps=() before=0
  [ -n "$role" ] && cpu_now "$role" && before=$TICKS
  start=$(now)
  for ((i = 0; i < n; i++)); do
    curl -sS --max-time 300 -u "$login" -o /dev/null -w '%{http_code} %{size_download}\n' "$url" >"$work/curl.$i" 2>&1 &
    ps+=($!)
    children+=($!)
  done
  for i in "${ps[@]}"; do
    wait "$i" || true
  done
  secs=$(since "$start")
  children=()
  if [ -n "$role" ]; then
    cpu_now "$role"
    CPU_PER_GIB=$(awk -v t=$((TICKS - before)) -v hz="$clk_tck" -v n="$n" -v b="$big_bytes" 'BEGIN { printf "%.3f", t / hz / (n * b / 1073741824) }')
  fi
  for ((i = 0; i < n; i++)); do
    read -r code size <"$work/curl.$i" || true
    if [ "${code:-}" != 200 ] || [ "${size:-}" != "$big_bytes" ]; then
      fail "GET $url gave status ${code:-none} with ${size:-no} bytes (expected 200 with $big_bytes)"
      return 1
    fi
  done
  MIBS=$(awk -v n="$n" -v b="$big_bytes" -v s="$secs" 'BEGIN { printf "%.1f", n * b / 1048576 / s }')
}

# Request log lines of ROLE so far: mark before a measurement, count after it.
mark() { MARK=$(wc -l <"$work/logs/$1.log"); }

# upstream_since ROLE MARK: sets ALL to the requests ROLE logged since MARK and BLOB_GETS to the blob GETs among
# them. Ours logs "[time INF] host METHOD repository reference status ..."; distribution's access log is in the
# combined format, "... \"METHOD /v2/... HTTP/1.1\" status ...".
upstream_since() {
  local counts
  sleep 0.3
  counts=$(tail -n +"$(($2 + 1))" "$work/logs/$1.log" | awk -v manifests="$manifest_digests" '
    {
      method = ""; ref = ""
      if ($2 ~ /^[A-Z][A-Z][A-Z]\]$/) { method = $4; ref = $6 }
      else for (i = 1; i <= NF; i++) if ($i ~ /^"[A-Z]+$/) { method = substr($i, 2); ref = $(i + 1); break }
      if (method !~ /^(GET|HEAD|POST|PUT|PATCH|DELETE)$/) next
      all++
      if (method == "GET" && (ref ~ /\/blobs\/sha256:/ || (ref ~ /^sha256:/ && index(manifests, ref) == 0))) blobs++
    }
    END { printf "%d %d\n", all, blobs }')
  read -r ALL BLOB_GETS <<<"$counts"
}

# ---------------------------------------------------------------------------------------------------------------
# The run

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
log "generating test images: ${mib[*]} MiB layers x $reps, and a small three-layer image x $reps"
manifest_digests=""
for ((r = 1; r <= reps; r++)); do
  make_image "$work/images/large-$r" $((mib[0] << 20)) $((mib[1] << 20)) $((mib[2] << 20))
  manifest_digests+="$DIGEST "
  if [ "$r" = 1 ]; then
    large_digest=$DIGEST
    big_layer=$LAST_LAYER
  fi
  make_image "$work/images/small-$r" "${small_bytes[@]}"
  manifest_digests+="$DIGEST "
done
cp "$work/images/large-1/manifest.json" "$work/www/manifest.json"
cp "$work/images/large-1/${big_layer#sha256:}" "$work/www/blob.bin"
chmod 755 "$work/www"

log "starting both primaries and nginx"
start_registry ours-primary
record rss.started ours "$(awk -v k="$STARTED_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')"
start_registry ref-primary
record rss.started ref "$(awk -v k="$STARTED_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')"
start_nginx
side_of() { case $1 in ours) SIDE_PRIMARY=ours-primary SIDE_CACHE=ours-cache ;; ref) SIDE_PRIMARY=ref-primary SIDE_CACHE=ref-cache ;; esac; }

log "push and pull with skopeo, $reps repetition(s)"
for ((r = 1; r <= reps; r++)); do
  for image in large small; do
    for side in ours ref; do
      side_of "$side"
      cpu_now "$SIDE_PRIMARY"
      before=$TICKS
      if copy_timed "dir:$work/images/$image-$r" "docker://127.0.0.1:${port[$SIDE_PRIMARY]}/bench/$image-$r:v1"; then
        record "push.$image" "$side" "$SECS"
        cpu_now "$SIDE_PRIMARY"
        record "push.$image.cpu" "$side" "$(ticks_to_seconds $((TICKS - before)))"
      fi
    done
  done
done
for ((r = 1; r <= reps; r++)); do
  for image in large small; do
    for side in ours ref; do
      side_of "$side"
      cpu_now "$SIDE_PRIMARY"
      before=$TICKS
      if pull_timed "127.0.0.1:${port[$SIDE_PRIMARY]}" "bench/$image-1" "$work/images/$image-1/manifest.json"; then
        record "pull.$image" "$side" "$SECS"
        cpu_now "$SIDE_PRIMARY"
        record "pull.$image.cpu" "$side" "$(ticks_to_seconds $((TICKS - before)))"
      fi
    done
  done
done

# manifest_load FIGURE SIDE ROLE URL [UPSTREAM_ROLE]: one measured load run, its CPU per request, and (for a
# cache) the upstream requests it caused.
manifest_load() {
  local figure=$1 side=$2 role=$3 url=$4 upstream=${5:-} before
  warm "$url"
  [ -n "$upstream" ] && mark "$upstream"
  cpu_now "$role"
  before=$TICKS
  load "$url" || return 0
  cpu_now "$role"
  record "$figure.rps" "$side" "$RPS"
  record "$figure.p50" "$side" "$P50"
  record "$figure.p99" "$side" "$P99"
  record "$figure.cpu" "$side" "$(awk -v t=$((TICKS - before)) -v hz="$clk_tck" -v n="$REQUESTS" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')"
  if [ -n "$upstream" ]; then
    upstream_since "$upstream" "$MARK"
    record "$figure.upstream" "$side" "$ALL"
  fi
}

log "manifest GET at $connections connections, ${load_seconds}s per run, $reps repetition(s)"
for ((r = 1; r <= reps; r++)); do
  for kind in tag digest; do
    reference=v1
    [ $kind = digest ] && reference=$large_digest
    for side in ours ref; do
      side_of "$side"
      manifest_load "m.primary.$kind" "$side" "$SIDE_PRIMARY" "http://127.0.0.1:${port[$SIDE_PRIMARY]}/v2/bench/large-1/manifests/$reference"
    done
  done
  warm "http://127.0.0.1:${port[nginx]}/manifest.json"
  if load "http://127.0.0.1:${port[nginx]}/manifest.json"; then
    record m.nginx.rps nginx "$RPS"
    record m.nginx.p50 nginx "$P50"
    record m.nginx.p99 nginx "$P99"
  fi
done

log "blob GET of the ${mib[2]} MiB layer, 1 and 8 parallel downloads, $reps repetition(s)"
for ((r = 1; r <= reps; r++)); do
  for n in 1 8; do
    for side in ours ref; do
      side_of "$side"
      if download "http://127.0.0.1:${port[$SIDE_PRIMARY]}/v2/bench/large-1/blobs/$big_layer" "$n" "$SIDE_PRIMARY"; then
        record "b.primary.$n" "$side" "$MIBS"
        record "b.primary.$n.cpu" "$side" "$CPU_PER_GIB"
      fi
    done
    if download "http://127.0.0.1:${port[nginx]}/blob.bin" "$n"; then
      record "b.nginx.$n" nginx "$MIBS"
    fi
  done
done

log "cold and warm pulls through each cache (emptied before each cold pull), $reps repetition(s)"
for ((r = 1; r <= reps; r++)); do
  for side in ours ref; do
    side_of "$side"
    [ -n "${pid[$SIDE_CACHE]:-}" ] && stop_registry "$SIDE_CACHE"
    start_registry "$SIDE_CACHE"
    for temperature in cold warm; do
      mark "$SIDE_PRIMARY"
      if pull_timed "127.0.0.1:${port[$SIDE_CACHE]}" bench/large-1 "$work/images/large-1/manifest.json"; then
        record "pull.$temperature" "$side" "$SECS"
        upstream_since "$SIDE_PRIMARY" "$MARK"
        record "pull.$temperature.upstream" "$side" "$ALL"
      fi
    done
  done
done

log "manifest GET on the warm caches, $reps repetition(s)"
for ((r = 1; r <= reps; r++)); do
  for kind in tag digest; do
    reference=v1
    [ $kind = digest ] && reference=$large_digest
    for side in ours ref; do
      side_of "$side"
      manifest_load "m.cache.$kind" "$side" "$SIDE_CACHE" "http://127.0.0.1:${port[$SIDE_CACHE]}/v2/bench/large-1/manifests/$reference" "$SIDE_PRIMARY"
    done
  done
done

log "blob GET on the warm caches, $reps repetition(s)"
for ((r = 1; r <= reps; r++)); do
  for n in 1 8; do
    for side in ours ref; do
      side_of "$side"
      mark "$SIDE_PRIMARY"
      if download "http://127.0.0.1:${port[$SIDE_CACHE]}/v2/bench/large-1/blobs/$big_layer" "$n" "$SIDE_CACHE"; then
        record "b.cache.$n" "$side" "$MIBS"
        record "b.cache.$n.cpu" "$side" "$CPU_PER_GIB"
        upstream_since "$SIDE_PRIMARY" "$MARK"
        record "b.cache.upstream" "$side" "$ALL"
      fi
    done
  done
done

log "$concurrent_pulls concurrent cold pulls of one image through each emptied cache"
for side in ours ref; do
  side_of "$side"
  stop_registry "$SIDE_CACHE"
  start_registry "$SIDE_CACHE"
  mark "$SIDE_PRIMARY"
  start=$(now)
  pulls=()
  for ((i = 0; i < concurrent_pulls; i++)); do
    timeout "$copy_timeout" skopeo --insecure-policy copy --quiet --preserve-digests --src-tls-verify=false --src-creds "$login" \
      "docker://127.0.0.1:${port[$SIDE_CACHE]}/bench/large-1:v1" "dir:$work/pulls/concurrent-$i" >"$work/logs/concurrent-$i.log" 2>&1 &
    pulls+=($!)
    children+=($!)
  done
  failed=0
  for i in "${!pulls[@]}"; do
    if ! wait "${pulls[$i]}" || ! cmp -s "$work/pulls/concurrent-$i/manifest.json" "$work/images/large-1/manifest.json"; then
      failed=$((failed + 1))
      fail "$side cache: concurrent pull $i failed: $(tail -n 2 "$work/logs/concurrent-$i.log" | tr '\n' ' ')"
    fi
  done
  secs=$(since "$start")
  children=()
  rm -rf "$work"/pulls/concurrent-*
  if [ "$failed" = 0 ]; then
    record c20.time "$side" "$secs"
  fi
  upstream_since "$SIDE_PRIMARY" "$MARK"
  record c20.blob_gets "$side" "$BLOB_GETS"
  record c20.upstream "$side" "$ALL"
done

# ---------------------------------------------------------------------------------------------------------------
# Peers: three of our cache nodes, each with the others as PEERS, over the same primary. The same 20 cold pulls
# spread over the three (against one node's, above); then again from empty with one node killed (SIGKILL) once it
# has fetched its first blob, its clients moved to the other two: every pull must still succeed.

peers_ran=false
if $peers_bench; then
  log "peers: $concurrent_pulls concurrent cold pulls spread over three cache nodes that are each other's PEERS"
  peers_ran=true
  peers=""
  for n in 1 2 3; do
    pick_port
    fixed_port[ours-peer-$n]=$PICKED
    peers+="${peers:+,}http://127.0.0.1:$PICKED"
  done
  for scenario in spread killed; do
    for n in 1 2 3; do
      [ -n "${pid[ours-peer-$n]:-}" ] && stop_registry "ours-peer-$n"
      start_registry "ours-peer-$n"
    done
    # Each node has probed the others before the pulls start (the probe runs every 2 s).
    sleep 2.5
    mark ours-peer-3
    peer3_mark=$MARK
    mark ours-primary
    start=$(now)
    pulls=()
    for ((i = 0; i < concurrent_pulls; i++)); do
      if [ $scenario = spread ]; then node=$((i % 3 + 1)); else node=$((i % 2 + 1)); fi
      timeout "$copy_timeout" skopeo --insecure-policy copy --quiet --preserve-digests --src-tls-verify=false --src-creds "$login" \
        "docker://127.0.0.1:${port[ours-peer-$node]}/bench/large-1:v1" "dir:$work/pulls/peers-$i" >"$work/logs/peers-$i.log" 2>&1 &
      pulls+=($!)
      children+=($!)
    done
    if [ $scenario = killed ]; then
      # Killed once it has fetched its first blob from the upstream: mid-run, with the blobs it owns in flight.
      for _ in $(seq 200); do
        tail -n +"$((peer3_mark + 1))" "$work/logs/ours-peer-3.log" | grep -q ' Filled ' && break
        sleep 0.05
      done
      kill -9 "${pid[ours-peer-3]}" 2>/dev/null || true
      wait "${pid[ours-peer-3]}" 2>/dev/null || true
      unset "pid[ours-peer-3]"
    fi
    failed=0
    for i in "${!pulls[@]}"; do
      if ! wait "${pulls[$i]}" || ! cmp -s "$work/pulls/peers-$i/manifest.json" "$work/images/large-1/manifest.json"; then
        failed=$((failed + 1))
        fail "peers ($scenario): pull $i failed: $(tail -n 2 "$work/logs/peers-$i.log" | tr '\n' ' ')"
      fi
    done
    secs=$(since "$start")
    children=()
    rm -rf "$work"/pulls/peers-*
    [ "$failed" = 0 ] && record "peers.$scenario.time" ours "$secs"
    record "peers.$scenario.failed" ours "$failed"
    upstream_since ours-primary "$MARK"
    record "peers.$scenario.blob_gets" ours "$BLOB_GETS"
  done
  for n in 1 2; do
    stop_registry "ours-peer-$n"
  done
fi

# ---------------------------------------------------------------------------------------------------------------
# CephFS: ours and the reference on one ceph-fuse mount of a throwaway single-host cluster, the same images, the
# same loads; beside ours on local disk above. The mount's client daemon (ceph-fuse) does the filesystem work of
# every request, so its CPU per request is shown too.

cephfs_ran=false
if $cephfs && command -v ceph-mon >/dev/null 2>&1 && command -v ceph-fuse >/dev/null 2>&1 && [ -e /dev/fuse ]; then
  log "CephFS: starting a single-host cluster with one ceph-fuse mount"
  if bash "$root/scripts/ceph-cluster.sh" up "$work/ceph" "$ceph_ports" 1 >"$work/logs/ceph.log" 2>&1; then
    cephfs_ran=true
    pid[ceph-fuse]=$(cat "$work/ceph/run/fuse-1.pid")
    for side in ours ref; do
      store_of[$side-ceph]=$work/ceph/mnt/1/$side
      start_registry "$side-ceph"
      for image in large small; do
        copy_timed "dir:$work/images/$image-1" "docker://127.0.0.1:${port[$side-ceph]}/bench/$image-1:v1" || true
      done
    done
    log "CephFS: manifest GET at $connections connections and blob GETs, $reps repetition(s)"
    for ((r = 1; r <= reps; r++)); do
      for kind in tag digest; do
        reference=v1
        [ $kind = digest ] && reference=$large_digest
        for side in ours ref; do
          cpu_now ceph-fuse
          fuse_before=$TICKS
          manifest_load "ceph.$kind" "$side" "$side-ceph" "http://127.0.0.1:${port[$side-ceph]}/v2/bench/large-1/manifests/$reference"
          cpu_now ceph-fuse
          [ -n "${REQUESTS:-}" ] && record "ceph.$kind.fuse" "$side" "$(awk -v t=$((TICKS - fuse_before)) -v hz="$clk_tck" -v n="$REQUESTS" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')"
        done
      done
      for n in 1 8; do
        for side in ours ref; do
          if download "http://127.0.0.1:${port[$side-ceph]}/v2/bench/large-1/blobs/$big_layer" "$n" "$side-ceph"; then
            record "ceph.blob.$n" "$side" "$MIBS"
          fi
        done
      done
    done
    for side in ours ref; do
      stop_registry "$side-ceph"
    done
    unset "pid[ceph-fuse]"
    bash "$root/scripts/ceph-cluster.sh" down "$work/ceph" >>"$work/logs/ceph.log" 2>&1 || true
  else
    fail "the Ceph cluster did not start: $(tail -n 3 "$work/logs/ceph.log" | tr '\n' ' ')"
  fi
else
  log "CephFS: skipped (--no-cephfs, or Ceph and ceph-fuse are not installed)"
fi

for role in ours-primary ours-cache ref-primary ref-cache; do
  stop_registry "$role"
done
for side in ours ref; do
  side_of "$side"
  record rss.primary "$side" "$(awk -v k="${peak_kb[$SIDE_PRIMARY]}" 'BEGIN { printf "%.1f", k / 1024 }')"
  record rss.cache "$side" "$(awk -v k="${peak_kb[$SIDE_CACHE]}" 'BEGIN { printf "%.1f", k / 1024 }')"
  record cpu.primary "$side" "$(ticks_to_seconds "${cpu_ticks[$SIDE_PRIMARY]}")"
  record cpu.cache "$side" "$(ticks_to_seconds "${cpu_ticks[$SIDE_CACHE]}")"
done

# ---------------------------------------------------------------------------------------------------------------
# The table. Each row: figure|label|better (higher or lower)|printf format|ceiling figure (nginx), if any.

rows=(
  "push.large|push, large image (s)|lower|%.2f|"
  "push.large.cpu|  registry CPU (s)|lower|%.2f|"
  "push.small|push, small image (s)|lower|%.2f|"
  "pull.large|pull, large image (s)|lower|%.2f|"
  "pull.large.cpu|  registry CPU (s)|lower|%.2f|"
  "pull.small|pull, small image (s)|lower|%.2f|"
  "m.primary.tag.rps|manifest by tag, primary (req/s)|higher|%.0f|m.nginx.rps"
  "m.primary.tag.p50|  p50 (ms)|lower|%.2f|m.nginx.p50"
  "m.primary.tag.p99|  p99 (ms)|lower|%.2f|m.nginx.p99"
  "m.primary.tag.cpu|  CPU per request (us)|lower|%.0f|"
  "m.primary.digest.rps|manifest by digest, primary (req/s)|higher|%.0f|m.nginx.rps"
  "m.primary.digest.p50|  p50 (ms)|lower|%.2f|m.nginx.p50"
  "m.primary.digest.p99|  p99 (ms)|lower|%.2f|m.nginx.p99"
  "m.primary.digest.cpu|  CPU per request (us)|lower|%.0f|"
  "b.primary.1|blob GET, primary, 1 download (MiB/s)|higher|%.0f|b.nginx.1"
  "b.primary.1.cpu|  registry CPU per GiB sent (s)|lower|%.2f|"
  "b.primary.8|blob GET, primary, 8 downloads (MiB/s)|higher|%.0f|b.nginx.8"
  "b.primary.8.cpu|  registry CPU per GiB sent (s)|lower|%.2f|"
  "pull.cold|cold pull through cache (s)|lower|%.2f|"
  "pull.cold.upstream|  upstream requests|lower|%.0f|"
  "pull.warm|warm pull through cache (s)|lower|%.2f|"
  "pull.warm.upstream|  upstream requests|lower|%.0f|"
  "m.cache.tag.rps|manifest by tag, warm cache (req/s)|higher|%.0f|m.nginx.rps"
  "m.cache.tag.p50|  p50 (ms)|lower|%.2f|m.nginx.p50"
  "m.cache.tag.p99|  p99 (ms)|lower|%.2f|m.nginx.p99"
  "m.cache.tag.cpu|  CPU per request (us)|lower|%.0f|"
  "m.cache.tag.upstream|  upstream requests per run|lower|%.0f|"
  "m.cache.digest.rps|manifest by digest, warm cache (req/s)|higher|%.0f|m.nginx.rps"
  "m.cache.digest.p50|  p50 (ms)|lower|%.2f|m.nginx.p50"
  "m.cache.digest.p99|  p99 (ms)|lower|%.2f|m.nginx.p99"
  "m.cache.digest.cpu|  CPU per request (us)|lower|%.0f|"
  "m.cache.digest.upstream|  upstream requests per run|lower|%.0f|"
  "b.cache.1|blob GET, warm cache, 1 download (MiB/s)|higher|%.0f|b.nginx.1"
  "b.cache.1.cpu|  registry CPU per GiB sent (s)|lower|%.2f|"
  "b.cache.8|blob GET, warm cache, 8 downloads (MiB/s)|higher|%.0f|b.nginx.8"
  "b.cache.8.cpu|  registry CPU per GiB sent (s)|lower|%.2f|"
  "b.cache.upstream|  upstream requests per run|lower|%.0f|"
  "c20.time|$concurrent_pulls concurrent cold pulls, total (s)|lower|%.2f|"
  "c20.blob_gets|  upstream blob GETs (ideal: 4)|lower|%.0f|"
  "c20.upstream|  upstream requests, all|lower|%.0f|"
  "rss.started|RSS after start, primary (MiB)|lower|%.1f|"
  "rss.primary|peak RSS, primary (MiB)|lower|%.1f|"
  "rss.cache|peak RSS, cache (MiB)|lower|%.1f|"
  "cpu.primary|CPU time, primary, whole run (s)|lower|%.2f|"
  "cpu.cache|CPU time, cache, whole run (s)|lower|%.2f|"
)

median() { tr ' ' '\n' <<<"$1" | awk 'NF' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# formatted FORMAT VALUE IF_EMPTY
formatted() { if [ -n "$2" ]; then awk -v f="$1" -v v="$2" 'BEGIN { printf f, v }'; else printf '%s' "$3"; fi; }

missing_figures=0
table() {
  local row key label better fmt ceiling ours ref nginx ratio share
  printf '| %-44s | %10s | %10s | %8s | %10s | %10s |\n' figure ours reference ratio nginx "ours/nginx"
  printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..12})" \
    "$(printf -- '-%.0s' {1..10})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..12})"
  for row in "${rows[@]}"; do
    IFS='|' read -r key label better fmt ceiling <<<"$row"
    ours=$(median "${VALUES["$key|ours"]:-}" || true)
    ref=$(median "${VALUES["$key|ref"]:-}" || true)
    nginx=""
    [ -n "$ceiling" ] && nginx=$(median "${VALUES["$ceiling|nginx"]:-}" || true)
    if [ -z "$ours" ] || [ -z "$ref" ] || { [ -n "$ceiling" ] && [ -z "$nginx" ]; }; then
      missing_figures=$((missing_figures + 1))
    fi
    # ratio: how many times better ours is than the reference (above 1: ours wins).
    ratio=$(awk -v o="${ours:-x}" -v r="${ref:-x}" -v b="$better" 'BEGIN {
      if (o == "x" || r == "x") { print "-"; exit }
      if (o + 0 == r + 0) { print "1.00x"; exit }
      if (b == "higher") { if (r + 0 == 0) print "inf"; else printf "%.2fx", o / r }
      else { if (o + 0 == 0) print "inf"; else printf "%.2fx", r / o } }')
    share=""
    if [ -n "$nginx" ] && [ -n "$ours" ] && [ "$better" = higher ]; then
      share=$(awk -v o="$ours" -v n="$nginx" 'BEGIN { printf "%.0f%%", 100 * o / n }')
    fi
    printf '| %-44s | %10s | %10s | %8s | %10s | %10s |\n' "$label" "$(formatted "$fmt" "$ours" MISSING)" \
      "$(formatted "$fmt" "$ref" MISSING)" "$ratio" "$(formatted "$fmt" "$nginx" "")" "$share"
  done
}

# The CephFS table: each figure for ours on local disk (from the table above), ours on ceph-fuse, the reference on
# the same mount, and the two ratios that matter there.
ceph_rows=(
  "ceph.tag.rps|m.primary.tag.rps|manifest by tag (req/s)|higher|%.0f"
  "ceph.tag.p99|m.primary.tag.p99|  p99 (ms)|lower|%.2f"
  "ceph.tag.cpu|m.primary.tag.cpu|  registry CPU per request (us)|lower|%.0f"
  "ceph.tag.fuse||  ceph-fuse CPU per request (us)|lower|%.0f"
  "ceph.digest.rps|m.primary.digest.rps|manifest by digest (req/s)|higher|%.0f"
  "ceph.digest.p99|m.primary.digest.p99|  p99 (ms)|lower|%.2f"
  "ceph.digest.cpu|m.primary.digest.cpu|  registry CPU per request (us)|lower|%.0f"
  "ceph.digest.fuse||  ceph-fuse CPU per request (us)|lower|%.0f"
  "ceph.blob.1|b.primary.1|blob GET, 1 download (MiB/s)|higher|%.0f"
  "ceph.blob.8|b.primary.8|blob GET, 8 downloads (MiB/s)|higher|%.0f"
)
ceph_table() {
  local row key local_key label better fmt local_v ours ref vs_ref vs_local
  echo "CephFS: ours and the reference on one ceph-fuse mount ($(ceph --version 2>/dev/null | awk '{ print $3 }'), memstore OSD, mds tick interval 1)"
  echo
  printf '| %-36s | %10s | %10s | %10s | %9s | %9s |\n' figure "ours local" "ours ceph" "ref ceph" "ours/ref" "ceph/local"
  printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..38})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..12})" \
    "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..11})"
  for row in "${ceph_rows[@]}"; do
    IFS='|' read -r key local_key label better fmt <<<"$row"
    local_v=""
    [ -n "$local_key" ] && local_v=$(median "${VALUES["$local_key|ours"]:-}" || true)
    ours=$(median "${VALUES["$key|ours"]:-}" || true)
    ref=$(median "${VALUES["$key|ref"]:-}" || true)
    [ -z "$ours" ] && missing_figures=$((missing_figures + 1))
    vs_ref=$(awk -v o="${ours:-x}" -v r="${ref:-x}" -v b="$better" 'BEGIN {
      if (o == "x" || r == "x" || o + 0 == 0 || r + 0 == 0) { print "-"; exit }
      if (b == "higher") printf "%.2fx", o / r; else printf "%.2fx", r / o }')
    vs_local=$(awk -v o="${ours:-x}" -v l="${local_v:-x}" -v b="$better" 'BEGIN {
      if (o == "x" || l == "x" || o + 0 == 0 || l + 0 == 0) { print "-"; exit }
      if (b == "higher") printf "%.2fx", o / l; else printf "%.2fx", l / o }')
    printf '| %-36s | %10s | %10s | %10s | %9s | %9s |\n' "$label" "$(formatted "$fmt" "$local_v" -)" \
      "$(formatted "$fmt" "$ours" MISSING)" "$(formatted "$fmt" "$ref" -)" "$vs_ref" "$vs_local"
  done
}

# The peers table: ours only (the reference's caches cannot share), three nodes against the one node above.
peers_table() {
  local row key label fmt value
  printf '| %-52s | %10s |\n' figure ours
  printf '|%s|%s|\n' "$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..12})"
  for row in \
    "c20.time|$concurrent_pulls cold pulls, one node (s)|%.2f" \
    "c20.blob_gets|  upstream blob GETs (4 blobs)|%.0f" \
    "peers.spread.time|$concurrent_pulls cold pulls over three peer nodes (s)|%.2f" \
    "peers.spread.blob_gets|  upstream blob GETs (4 blobs; 12 without PEERS)|%.0f" \
    "peers.spread.failed|  pulls failed|%.0f" \
    "peers.killed.time|$concurrent_pulls cold pulls, a third node killed mid-run (s)|%.2f" \
    "peers.killed.blob_gets|  upstream blob GETs|%.0f" \
    "peers.killed.failed|  pulls failed|%.0f"; do
    IFS='|' read -r key label fmt <<<"$row"
    value=$(median "${VALUES["$key|ours"]:-}" || true)
    [ -z "$value" ] && missing_figures=$((missing_figures + 1))
    printf '| %-52s | %10s |\n' "$label" "$(formatted "$fmt" "$value" MISSING)"
  done
}

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "neon-registry $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown) vs $(docker-registry --version 2>/dev/null | awk '{ print $2, $3 }')," \
  "$(date -u +%Y-%m-%d), $(nproc) cores ($cpu_model), $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);" \
  "layers ${mib[*]} MiB; medians of $reps run(s); manifest load ${load_seconds}s at $connections connections; whole run $SECONDS s;" \
  "load average $load_at_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "ratio: how many times better ours is than the reference (above 1.00x ours wins); ours/nginx: share of the static-file ceiling"
echo
table
echo
if $peers_ran; then
  peers_table
  echo
fi
if $cephfs_ran; then
  ceph_table
  echo
fi

if [ ${#failures[@]} -gt 0 ] || [ "$missing_figures" -gt 0 ]; then
  for f in "${failures[@]}"; do
    echo "FAILED: $f"
  done
  echo "$missing_figures figure(s) missing"
  exit 1
fi
