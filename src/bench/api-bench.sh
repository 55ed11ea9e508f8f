#!/usr/bin/env bash
# Benchmarks kvbatch serve's Cloudflare KV routes with hey, each against a baseline taken in the same run:
#
#   PUT values (one key per request), 64 connections   vs  the same server's health endpoint, 64 connections
#   PUT bulk of 1,000 items, items/s                   vs  bench's raw JDBC parse + batched insert, rows/s
#   GET values of staged keys, 64 connections          vs  the health endpoint
#
# and prints requests/s, p50 and p99 of each, and each ratio against its goal. Usage, from the repository root:
#
#   src/bench/api-bench.sh [seconds per measurement, default 10]
#
# Needs hey, curl and python3 (Debian: apt-get install hey curl python3). Builds target/kvbatch.jar as ./kvbatch does,
# and works in a throw-away data folder. The server runs with -Xmx512m (KVBATCH_BENCH_JAVA_OPTS overrides it).
set -euo pipefail

seconds="${1:-10}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
jar="$root/target/kvbatch.jar"
command -v hey > /dev/null || { echo "api-bench: needs hey (Debian: apt-get install hey)" >&2; exit 2; }
# The launcher builds target/kvbatch.jar when it is missing or older than the sources.
KVBATCH_CDS=off "$root/kvbatch" --version > /dev/null

work="$(mktemp -d)"
port=18480
management=18481
token="bench-$(date +%s)"
base="http://127.0.0.1:$port/client/v4/accounts/kvbatch/storage/kv/namespaces/kvbatch"
health="http://127.0.0.1:$management/actuator/health/liveness"
auth="Authorization: Bearer $token"
server=""
cleanup() {
	[ -n "$server" ] && kill "$server" 2> /dev/null && wait "$server" 2> /dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# The bench's raw JDBC loader first, on its own, so the server does not share the machine with it.
echo "api-bench: raw JDBC baseline (kvbatch bench --ops 100000)..." >&2
raw="$(java -Xmx256m -jar "$jar" bench --ops 100000 --cold-runs 0 --kvbatch.data-dir="$work/bench-data" 2>&1 \
	| sed -n 's/.*raw JDBC parse + batched insert *\([0-9,.]*\) rows\/s.*/\1/p' | tr -d ,)"
[ -n "$raw" ] || { echo "api-bench: bench printed no raw JDBC figure" >&2; exit 1; }

echo "api-bench: starting kvbatch serve --no-jobs on port $port..." >&2
KVBATCH_API_WRITE_TOKENS="$token" java ${KVBATCH_BENCH_JAVA_OPTS:--Xmx512m} -jar "$jar" serve --no-jobs \
	--kvbatch.data-dir="$work/data" --server.port=$port --management.server.port=$management \
	--kvbatch.api.max-backlog=100000000 --logging.level.root=warn > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
	curl -fs -o /dev/null "$health" && break
	sleep 0.5
done
curl -fs -o /dev/null "$health" || { cat "$work/serve.log" >&2; exit 1; }

# One hey run: prints "<requests/s> <p50 ms> <p99 ms>".
measure() {
	hey -z "${seconds}s" "$@" | awk '
		/Requests\/sec:/ { rps = $2 }
		/ 50% in / { p50 = $3 * 1000 }
		/ 99% in / { p99 = $3 * 1000 }
		/ responses$/ && $1 != "[200]" { bad = bad " " $0 }
		/Error distribution:/ { bad = bad " errors" }
		END {
			if (bad != "") { print "api-bench: non-200 answers:" bad > "/dev/stderr"; exit 1 }
			printf "%.0f %.2f %.2f\n", rps, p50, p99
		}'
}
line() {
	printf '%-34s %12s %10s %10s\n' "$@"
}

# Warm-up, so the JIT has compiled the routes before anything is timed.
hey -z 3s -c 16 "$health" > /dev/null
hey -z 3s -c 16 -m PUT -H "$auth" -d '"warm"' "$base/values/warm" > /dev/null

read -r h_rps h_p50 h_p99 <<< "$(measure -c 64 "$health")"
read -r p_rps p_p50 p_p99 <<< "$(measure -c 64 -m PUT -H "$auth" -d '{"album":"a07","photos":12}' \
	"$base/values/album:bench")"

# A bulk of 1,000 distinct keys; each request stages the same 1,000 operations again.
python3 - "$work/bulk.json" << 'EOF'
import json, sys
items = [{"key": "bench-%04d" % i, "value": json.dumps({"n": i, "text": "x" * 64})} for i in range(1000)]
open(sys.argv[1], "w").write(json.dumps(items))
EOF
read -r b_rps b_p50 b_p99 <<< "$(measure -c 8 -m PUT -H "$auth" -T application/json -D "$work/bulk.json" "$base/bulk")"

# Reads of keys the bulk staged.
read -r g_rps g_p50 g_p99 <<< "$(measure -c 64 -H "$auth" "$base/values/bench-0500")"
read -r h2_rps h2_p50 h2_p99 <<< "$(measure -c 64 "$health")"

echo
echo "kvbatch serve on $(nproc) cores, ${seconds} s per measurement, one run (the health endpoint measured twice)"
line "" "requests/s" "p50 ms" "p99 ms"
line "health (baseline, before)" "$h_rps" "$h_p50" "$h_p99"
line "PUT values, 64 connections" "$p_rps" "$p_p50" "$p_p99"
line "PUT bulk of 1,000, 8 connections" "$b_rps" "$b_p50" "$b_p99"
line "GET values, 64 connections" "$g_rps" "$g_p50" "$g_p99"
line "health (baseline, after)" "$h2_rps" "$h2_p50" "$h2_p99"
echo
awk -v h="$h_rps" -v h2="$h2_rps" -v hp="$h_p99" -v h2p="$h2_p99" -v p="$p_rps" -v pp="$p_p99" -v b="$b_rps" \
	-v raw="$raw" -v g="$g_rps" 'BEGIN {
	hb = (h + h2) / 2; hbp = (hp + h2p) / 2
	printf "PUT values / health       %5.2f   (goal >= 0.5)   p99 ratio %5.2f (goal <= 4)\n", p / hb, pp / hbp
	printf "PUT bulk items/s / raw JDBC %5.2f   (goal >= 0.7)   %.0f items/s against %.0f rows/s\n", \
		b * 1000 / raw, b * 1000, raw
	printf "GET values / health       %5.2f   (goal >= 0.5)\n", g / hb
}'
