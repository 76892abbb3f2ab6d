#!/usr/bin/env bash
# bench-table.sh - the configuration-at-scale table of docs/performance.md (run by
# `make bench-table`), then the gateway's throughput benchmark (scripts/bench.sh).
#
# It runs BenchmarkConfigScale (internal/configsync/source) at 100 / 1,000 / 5,000 APIs
# of 20 operations with 1,000 / 10,000 / 100,000 subscriptions and prints one markdown
# table: the management plane's snapshot build (a later version's, and the first after a
# start), the gateway's compile, the memory the compiled pipelines hold, and the
# snapshot's size plain and gzipped.
#
# Environment:
#   BENCH_TABLE_SCALES  a -bench regular expression under ConfigScale/ choosing the sizes
#                       (default: all three), e.g. '^apis=100$' for the smallest alone
#   BENCH_TABLE_TIME    -benchtime of the scale benchmark       (default 2x)
#   BENCH_TABLE_LOAD    0: skip the throughput benchmark         (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
scales=${BENCH_TABLE_SCALES:-.}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$GO" test ./internal/configsync/source -run '^$' -bench "ConfigScale/$scales" \
	-benchtime "${BENCH_TABLE_TIME:-2x}" | tee "$out" >&2

echo
echo "Load average (1, 5, 15 min) after measuring: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo
echo "| APIs | operations | subscriptions | snapshot build | first build | gateway compile | compiled pipelines in memory | snapshot | gzipped |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
awk '
function group(n,   s) { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }
function dur(ms) { return ms >= 1000 ? sprintf("%.2f s", ms / 1000) : sprintf("%.0f ms", ms) }
/^BenchmarkConfigScale\/apis=/ {
	split($1, p, /[=\/-]/)
	apis = p[3]; subs = p[5]
	delete m
	for (i = 3; i < NF; i += 2) m[$(i + 1)] = $i
	printf "| %s | %s | %s | %s | %s | %s | %.1f MB | %.2f MB | %.2f MB |\n", group(apis), group(apis * 20), group(subs),
		dur(m["ns/op"] / 1e6), dur(m["first-build-ms"]), dur(m["compile-ms"]), m["compiled-MB"], m["snapshot-MB"], m["gzipped-MB"]
}' "$out"

if [[ ${BENCH_TABLE_LOAD:-1} != 0 ]]; then
	echo
	bash scripts/bench.sh
fi
