#!/usr/bin/env bash
# Gateway GET throughput against nginx serving the same 4 KiB files from local disk.
#
#   bench/gateway-vs-nginx.sh [FILES] [SECONDS] [CONNECTIONS]
#   GATEWAY_CACHE=off bench/gateway-vs-nginx.sh ...   # every GET goes to the cluster
#
# Starts a sandbox cluster (3 trackers, 3 datanodes) and `mogul gateway` on loopback,
# stores FILES files of 4 KiB through the gateway, writes the same files into a directory
# that nginx serves, then runs wrk against both with the same random key order; each
# server gets the same warm-up first. With GATEWAY_CACHE=off the gateway's metadata and
# content caches are disabled, so every GET is a linearizable tracker lookup plus a
# datanode read. Needs wrk and nginx (Debian packages; installed when missing and running
# as root). Stops everything it started, by PID.
set -euo pipefail
FILES=${1:-1000}
SECONDS_EACH=${2:-20}
CONNS=${3:-16}
cd "$(dirname "$0")/.."
ROOT=$PWD

for tool in wrk nginx curl; do
  if ! command -v "$tool" >/dev/null && ! [ -x "/usr/sbin/$tool" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      pkg=$([ "$tool" = nginx ] && echo nginx-light || echo "$tool")
      # A fresh machine may have no package lists yet.
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null; }
    else
      echo "need $tool (apt-get install wrk nginx-light curl)" >&2; exit 1
    fi
  fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d)
# mktemp makes the directory 0700; nginx started as root serves as `nobody`, which would
# then get 403 for every file (and wrk would time error pages, not files).
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# A loopback port nothing listens on (bash's /dev/tcp connect fails on a free port), taken
# below the kernel's ephemeral range so no outgoing connection holds it as its local port.
EPHEMERAL_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
free_port() {
  local port
  while :; do
    port=$((10000 + RANDOM % (EPHEMERAL_LOW - 10000)))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
CACHE_ARGS=()
if [ "${GATEWAY_CACHE:-on}" = off ]; then
  CACHE_ARGS=(--set cache.metadataTtlMs=0 --set cache.maxBytes=0 --set cache.maxBlobBytes=0)
fi

./mogul --version >/dev/null   # builds the jar if needed
JAR=$ROOT/cli/target/mogul.jar
java -jar "$JAR" sandbox --dir "$WORK/sandbox" > "$WORK/sandbox.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 180); do grep -q "Mogul sandbox is running" "$WORK/sandbox.log" && break; sleep 1; done
grep -q "Mogul sandbox is running" "$WORK/sandbox.log" || { cat "$WORK/sandbox.log"; exit 1; }
TRACKERS=$(grep -o "tracker  t[0-9]   127.0.0.1:[0-9]*" "$WORK/sandbox.log" | awk '{print $3}' | paste -sd,)

GW_PORT=$(free_port)
java -jar "$JAR" gateway --config config/gateway.yaml --set listen=127.0.0.1:$GW_PORT \
  --set "trackers=[${TRACKERS}]" --set writeToken=bench-token "${CACHE_ARGS[@]}" > "$WORK/gateway.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 60); do curl -s -o /dev/null "http://127.0.0.1:$GW_PORT/ui" && break; sleep 1; done
curl -sf -o /dev/null "http://127.0.0.1:$GW_PORT/ui" || { cat "$WORK/gateway.log"; echo "the gateway did not start" >&2; exit 1; }

mkdir -p "$WORK/www/default/bench"
head -c $((4096 * FILES)) /dev/urandom > "$WORK/blob"
echo "storing $FILES files of 4 KiB through the gateway ..."
for i in $(seq 0 $((FILES - 1))); do
  dd if="$WORK/blob" of="$WORK/www/default/bench/f$i" bs=4096 skip=$i count=1 status=none
  curl -sf -X PUT -H "Authorization: Bearer bench-token" --data-binary @"$WORK/www/default/bench/f$i" \
    "http://127.0.0.1:$GW_PORT/default/bench/f$i" -o /dev/null
done

NG_PORT=$(free_port)
cat > "$WORK/nginx.conf" <<NGINX
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  server { listen 127.0.0.1:$NG_PORT; root $WORK/www; }
}
NGINX
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" &
PIDS+=($!)
for _ in $(seq 1 30); do curl -s -o /dev/null "http://127.0.0.1:$NG_PORT/default/bench/f0" && break; sleep 0.2; done
curl -sf -o /dev/null "http://127.0.0.1:$NG_PORT/default/bench/f0" || { echo "nginx did not start" >&2; exit 1; }

cat > "$WORK/random.lua" <<LUA
math.randomseed(42)
request = function()
  return wrk.format("GET", "/default/bench/f" .. math.random(0, $((FILES - 1))))
end
LUA

run() {
  wrk -t2 -c"$CONNS" -d"${SECONDS_EACH}s" --latency -s "$WORK/random.lua" "http://127.0.0.1:$1" | tee "$WORK/$2.txt"
}
echo "== warm-up (gateway, nginx)"
wrk -t2 -c"$CONNS" -d10s -s "$WORK/random.lua" "http://127.0.0.1:$GW_PORT" >/dev/null
wrk -t2 -c"$CONNS" -d10s -s "$WORK/random.lua" "http://127.0.0.1:$NG_PORT" >/dev/null
echo "== mogul gateway"; run "$GW_PORT" gateway
echo "== nginx, local disk"; run "$NG_PORT" nginx
if grep -q "Non-2xx" "$WORK/gateway.txt" "$WORK/nginx.txt"; then
  echo "error responses during the runs (see above): the figures do not measure file serving" >&2
  exit 1
fi
GW=$(awk '/Requests\/sec/ {print $2}' "$WORK/gateway.txt")
NG=$(awk '/Requests\/sec/ {print $2}' "$WORK/nginx.txt")
awk -v gw="$GW" -v ng="$NG" -v cache="${GATEWAY_CACHE:-on}" 'BEGIN {
  printf "gateway (cache %s) %.0f req/s, nginx %.0f req/s: %.0f%% of nginx\n", cache, gw, ng, 100 * gw / ng }'
