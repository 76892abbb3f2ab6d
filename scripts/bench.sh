#!/usr/bin/env bash
# bench.sh - throughput, latency, CPU and memory benchmark of the Gatehouse gateway
# (run by `make bench`).
#
# It starts, on loopback and with free ports, a tiny Go backend (scripts/benchbackend),
# nginx as a plain keep-alive reverse proxy to it (scripts/nginx-bench.conf.tmpl), and
# `gatehouse serve` with a fresh data directory, all pinned to CPU 0 (Go processes with
# GOMAXPROCS=1, nginx with one worker). It publishes an open API and a subscription-keyed
# API, then drives four targets with wrk pinned to CPU 1: the backend directly, nginx,
# the gateway's open API and the gateway's keyed API, interleaved over several rounds.
#
# It prints, per target, the median over rounds of requests/s, p50 and p99 latency, the
# ratio to the direct backend and the serving process's CPU time per request, then the
# gateway's CPU time per request and its resident memory idle and under load, and the
# project's goals for context. Missing a goal never fails the script; only setup errors
# do (a failed install, build or configuration call, a process that dies).
#
# Environment:
#   BENCH_DURATION     seconds per measured wrk run          (default 8)
#   BENCH_ROUNDS       rounds over the four targets          (default 3)
#   BENCH_WARMUP       seconds of warm-up before each run    (default 2)
#   BENCH_CONNECTIONS  wrk connections                       (default 32)
#   BENCH_SERVER_CPU   CPU for backend, nginx, gatehouse     (default 0)
#   BENCH_CLIENT_CPU   CPU for wrk and this script           (default 1)
#   BENCH_KEEP=1       keep the temporary directory (logs, wrk outputs)

# shellcheck disable=SC2034 # the per-round result arrays are read through a nameref in med()
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

DURATION=${BENCH_DURATION:-8}
ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-2}
CONNS=${BENCH_CONNECTIONS:-32}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
CLIENT_CPU=${BENCH_CLIENT_CPU:-1}
SUB_KEY=bench-key-0123456789
READY_PATH=/internal-status-0123456789abcdef

# Goals, printed for context only.
GOAL_KEYED_RATIO=0.25
GOAL_KEYED_CPU_US=40
GOAL_IDLE_RSS_MB=30

START_TIME=$SECONDS

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
	printf 'bench: error: %s\n' "$*" >&2
	exit 1
}

# ---------------------------------------------------------------- cleanup

WORK=""
PIDS=()   # long-running processes we started, stopped in reverse order
NAMES=()

cleanup() {
	local rc=$? i pid n
	trap - EXIT INT TERM
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill -TERM "${PIDS[i]}" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		for ((n = 0; n < 50; n++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if [[ -n $WORK && -d $WORK ]]; then
		if [[ ${BENCH_KEEP:-0} == 1 ]]; then
			log "kept $WORK"
		else
			rm -rf "$WORK"
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- install

apt_install() {
	local sudo=()
	if [[ $(id -u) != 0 ]]; then
		command -v sudo >/dev/null || die "need root or sudo to install: $*"
		sudo=(sudo)
	fi
	# Keep the packages' maintainer scripts from starting the system nginx service.
	local policy=/usr/sbin/policy-rc.d made_policy=0
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
		"${sudo[@]}" chmod 755 "$policy"
		made_policy=1
	fi
	local ok=0
	if "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; then
		ok=1
	else
		log "apt-get install failed; running apt-get update and retrying"
		if "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; then
			ok=1
		fi
	fi
	if ((made_policy)); then
		"${sudo[@]}" rm -f "$policy"
	fi
	((ok)) || die "could not install: $*"
}

find_nginx() {
	NGINX=$(command -v nginx || true)
	if [[ -z $NGINX && -x /usr/sbin/nginx ]]; then NGINX=/usr/sbin/nginx; fi
}
find_nginx
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[[ -n $NGINX ]] || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
command -v taskset >/dev/null || missing+=(util-linux)
if ((${#missing[@]})); then
	log "installing ${missing[*]}"
	apt_install "${missing[@]}" >&2
fi
find_nginx
command -v wrk >/dev/null || die "wrk is missing after install"
[[ -n $NGINX ]] || die "nginx is missing after install"
command -v curl >/dev/null || die "curl is missing after install"
command -v taskset >/dev/null || die "taskset is missing after install"

NCPU=$(getconf _NPROCESSORS_ONLN)
if ((CLIENT_CPU >= NCPU)); then
	log "warning: only $NCPU CPU(s); wrk shares CPU $SERVER_CPU with the servers"
	CLIENT_CPU=$SERVER_CPU
fi
if ((SERVER_CPU >= NCPU)); then die "BENCH_SERVER_CPU=$SERVER_CPU but only $NCPU CPU(s)"; fi

# ---------------------------------------------------------------- build

log "building bin/gatehouse and bin/benchbackend"
go build -o bin/gatehouse ./cmd/gatehouse
go build -o bin/benchbackend ./scripts/benchbackend

# ---------------------------------------------------------------- helpers

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench.XXXXXX")
CLK_TCK=$(getconf CLK_TCK)

USED_PORTS=" "
# free_port VAR sets VAR to a loopback TCP port nobody listens on, below Linux's ephemeral
# range (so that wrk's and the proxies' outgoing connections cannot take it).
free_port() {
	local p n
	for ((n = 0; n < 1000; n++)); do
		p=$((20000 + RANDOM % 12000))
		[[ $USED_PORTS == *" $p "* ]] && continue
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			USED_PORTS+="$p "
			printf -v "$1" '%s' "$p"
			return
		fi
	done
	die "no free port found"
}

# start NAME LOGFILE CMD... starts CMD in the background and records its pid in $LAST_PID.
start() {
	local name=$1 logf=$2
	shift 2
	"$@" >"$logf" 2>&1 &
	LAST_PID=$!
	PIDS+=("$LAST_PID")
	NAMES+=("$name")
}

check_alive() {
	local i
	for i in "${!PIDS[@]}"; do
		if ! kill -0 "${PIDS[i]}" 2>/dev/null; then
			log "${NAMES[i]} (pid ${PIDS[i]}) died; last lines of its log:"
			tail -n 20 "$WORK/${NAMES[i]}.log" >&2 || true
			die "${NAMES[i]} died"
		fi
	done
}

# wait_ok URL [CURL ARGS...] waits up to 15s for URL to answer 200.
wait_ok() {
	local url=$1 n code
	shift
	for ((n = 0; n < 150; n++)); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" || true)
		[[ $code == 200 ]] && return 0
		check_alive
		sleep 0.1
	done
	die "$url did not answer 200 in time (last status: ${code:-none})"
}

# mgmt_put PATH JSON calls the management API and fails unless it answers 2xx.
mgmt_put() {
	local path=$1 body=$2 code
	code=$(curl -sS -o "$WORK/mgmt-response" -w '%{http_code}' -X PUT \
		-H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
		--data "$body" "$MGMT/mgmt$path") || die "PUT $path: curl failed"
	if [[ $code != 2?? ]]; then
		log "PUT $path answered $code:"
		cat "$WORK/mgmt-response" >&2 || true
		echo >&2
		die "configuring the gateway failed"
	fi
}

# cpu_ticks PID... prints the summed utime+stime (clock ticks) of the processes.
cpu_ticks() {
	local pid total=0 stat rest f
	for pid in "$@"; do
		stat=$(<"/proc/$pid/stat") || die "cannot read /proc/$pid/stat"
		rest=${stat##*) } # fields from 3 on; comm may contain spaces
		read -r -a f <<<"$rest"
		total=$((total + f[11] + f[12])) # utime (14) and stime (15)
	done
	echo "$total"
}

# status_kb PID FIELD prints a /proc/PID/status field (VmRSS, VmHWM) in kB.
status_kb() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

# median prints the median of its numeric arguments.
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# parse_wrk FILE prints "rps p50_us p99_us requests non2xx socket_errors".
parse_wrk() {
	awk '
	function us(v,   n, u) {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") return n
		if (u == "ms") return n * 1000
		if (u == "s") return n * 1000000
		if (u == "m") return n * 60000000
		if (u == "h") return n * 3600000000
		return -1
	}
	$1 == "50%" { p50 = us($2) }
	$1 == "99%" { p99 = us($2) }
	/ requests in / { reqs = $1 }
	/^Requests\/sec:/ { rps = $2 }
	/Non-2xx or 3xx responses:/ { non2xx = $NF }
	/Socket errors:/ { gsub(/,/, ""); sock = $4 + $6 + $8 + $10 }
	END {
		if (rps == "" || reqs == "" || p50 == "" || p99 == "" || p50 < 0 || p99 < 0) { print "error"; exit }
		printf "%s %.1f %.1f %d %d %d\n", rps, p50, p99, reqs, non2xx + 0, sock + 0
	}' "$1"
}

# ---------------------------------------------------------------- start

# From here on this script (and the samplers it forks) stays off the servers' CPU.
taskset -p -c "$CLIENT_CPU" $$ >/dev/null

free_port BACKEND_PORT
free_port NGINX_PORT
free_port GW_PORT
free_port MGMT_PORT
MGMT=http://127.0.0.1:$MGMT_PORT
ADMIN_TOKEN=bench-$RANDOM$RANDOM$RANDOM

log "backend :$BACKEND_PORT, nginx :$NGINX_PORT, gateway :$GW_PORT, management :$MGMT_PORT (work dir $WORK)"

start backend "$WORK/backend.log" \
	env GOMAXPROCS=1 taskset -c "$SERVER_CPU" bin/benchbackend -addr "127.0.0.1:$BACKEND_PORT"
BACKEND_PID=$LAST_PID

mkdir -p "$WORK/nginx"
sed -e "s|@PREFIX@|$WORK/nginx|g" -e "s|@LISTEN@|127.0.0.1:$NGINX_PORT|g" \
	-e "s|@BACKEND@|127.0.0.1:$BACKEND_PORT|g" scripts/nginx-bench.conf.tmpl >"$WORK/nginx/nginx.conf"
"$NGINX" -t -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" >&2 ||
	die "nginx rejected $WORK/nginx/nginx.conf"
start nginx "$WORK/nginx.log" \
	taskset -c "$SERVER_CPU" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log"
NGINX_PID=$LAST_PID

mkdir -p "$WORK/data"
start gatehouse "$WORK/gatehouse.log" \
	env GOMAXPROCS=1 GATEHOUSE_ADMIN_TOKEN="$ADMIN_TOKEN" taskset -c "$SERVER_CPU" \
	bin/gatehouse serve --data "$WORK/data" --gateway-http "127.0.0.1:$GW_PORT" \
	--mgmt "127.0.0.1:$MGMT_PORT" --access-log=false --log-level warn
GW_PID=$LAST_PID

wait_ok "http://127.0.0.1:$BACKEND_PORT/"
wait_ok "http://127.0.0.1:$NGINX_PORT/"
wait_ok "$MGMT/mgmt/apis" -H "Authorization: Bearer $ADMIN_TOKEN"

# nginx runs its worker as a child of the master we started.
children() { # PID prints the pids of its child processes
	local f stat rest fields
	for f in /proc/[0-9]*/stat; do
		{ stat=$(<"$f"); } 2>/dev/null || continue
		rest=${stat##*) }
		read -r -a fields <<<"$rest"
		if [[ ${fields[1]} == "$1" ]]; then
			f=${f#/proc/}
			echo "${f%/stat}"
		fi
	done
}
NGINX_WORKERS=$(children "$NGINX_PID")
[[ -n $NGINX_WORKERS ]] || die "nginx has no worker process"

# ---------------------------------------------------------------- configure

BACKEND_URL=http://127.0.0.1:$BACKEND_PORT
mgmt_put /apis/open "{\"properties\":{\"displayName\":\"Open\",\"path\":\"open\",\"serviceUrl\":\"$BACKEND_URL\",\"subscriptionRequired\":false}}"
mgmt_put /apis/open/operations/all '{"properties":{"method":"*","urlTemplate":"/*"}}'
mgmt_put /apis/keyed "{\"properties\":{\"displayName\":\"Keyed\",\"path\":\"keyed\",\"serviceUrl\":\"$BACKEND_URL\"}}"
mgmt_put /apis/keyed/operations/all '{"properties":{"method":"*","urlTemplate":"/*"}}'
mgmt_put /subscriptions/bench "{\"properties\":{\"displayName\":\"Bench\",\"scope\":\"/apis/keyed\",\"primaryKey\":\"$SUB_KEY\"}}"

wait_ok "http://127.0.0.1:$GW_PORT$READY_PATH"
wait_ok "http://127.0.0.1:$GW_PORT/open/hello"
wait_ok "http://127.0.0.1:$GW_PORT/keyed/hello" -H "Ocp-Apim-Subscription-Key: $SUB_KEY"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GW_PORT/keyed/hello")
[[ $code == 401 ]] || log "warning: keyed API without a key answered $code, expected 401"

sleep 1
IDLE_RSS_KB=$(status_kb "$GW_PID" VmRSS)
IDLE_HWM_KB=$(status_kb "$GW_PID" VmHWM)

# ---------------------------------------------------------------- run

TARGETS=(direct nginx open keyed)
declare -A LABEL=([direct]="direct backend" [nginx]="nginx" [open]="gateway open" [keyed]="gateway keyed")
declare -A URL=(
	[direct]="http://127.0.0.1:$BACKEND_PORT/hello"
	[nginx]="http://127.0.0.1:$NGINX_PORT/hello"
	[open]="http://127.0.0.1:$GW_PORT/open/hello"
	[keyed]="http://127.0.0.1:$GW_PORT/keyed/hello"
)
declare -A CPU_PIDS=([direct]="$BACKEND_PID" [nginx]="$NGINX_WORKERS" [open]="$GW_PID" [keyed]="$GW_PID")
declare -A RPS P50 P99 RATIO CPU_US
declare -A TOTAL_NON2XX=([direct]=0 [nginx]=0 [open]=0 [keyed]=0)
declare -A TOTAL_SOCKERR=([direct]=0 [nginx]=0 [open]=0 [keyed]=0)
PEAK_RSS_KB=$IDLE_RSS_KB

# sample_rss PID FILE writes the largest VmRSS seen until killed.
sample_rss() {
	local max=0 v
	while :; do
		v=$(status_kb "$1" VmRSS 2>/dev/null || echo 0)
		if ((v > max)); then
			max=$v
			echo "$max" >"$2"
		fi
		sleep 0.2
	done
}

wrk_cmd() { # TARGET SECONDS
	local args=(-t1 "-c$CONNS" "-d${2}s" --latency)
	[[ $1 == keyed ]] && args+=(-H "Ocp-Apim-Subscription-Key: $SUB_KEY")
	taskset -c "$CLIENT_CPU" wrk "${args[@]}" "${URL[$1]}"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "running ${ROUNDS} round(s) x ${#TARGETS[@]} targets x (${WARMUP}s warm-up + ${DURATION}s), ${CONNS} connections"
for ((r = 1; r <= ROUNDS; r++)); do
	for t in "${TARGETS[@]}"; do
		if ((WARMUP > 0)); then
			wrk_cmd "$t" "$WARMUP" >"$WORK/warmup-$t-$r.txt" 2>&1 || die "wrk warm-up against $t failed: $(cat "$WORK/warmup-$t-$r.txt")"
		fi
		check_alive
		sampler=""
		if [[ $t == open || $t == keyed ]]; then
			echo 0 >"$WORK/rss-$t-$r"
			sample_rss "$GW_PID" "$WORK/rss-$t-$r" &
			sampler=$!
		fi
		# shellcheck disable=SC2086 # CPU_PIDS may list several pids
		before=$(cpu_ticks ${CPU_PIDS[$t]})
		out="$WORK/wrk-$t-$r.txt"
		wrk_cmd "$t" "$DURATION" >"$out" 2>&1 || die "wrk against $t failed: $(cat "$out")"
		# shellcheck disable=SC2086
		after=$(cpu_ticks ${CPU_PIDS[$t]})
		if [[ -n $sampler ]]; then
			kill "$sampler" 2>/dev/null || true
			wait "$sampler" 2>/dev/null || true
			v=$(<"$WORK/rss-$t-$r")
			if ((v > PEAK_RSS_KB)); then PEAK_RSS_KB=$v; fi
		fi
		check_alive
		res=$(parse_wrk "$out")
		[[ $res != error ]] || die "could not parse wrk output for $t: $(cat "$out")"
		read -r rps p50 p99 reqs non2xx sockerr <<<"$res"
		((reqs > 0)) || die "wrk made no requests against $t: $(cat "$out")"
		RPS[$t,$r]=$rps
		P50[$t,$r]=$p50
		P99[$t,$r]=$p99
		TOTAL_NON2XX[$t]=$((TOTAL_NON2XX[$t] + non2xx))
		TOTAL_SOCKERR[$t]=$((TOTAL_SOCKERR[$t] + sockerr))
		CPU_US[$t,$r]=$(awk -v d="$((after - before))" -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN { printf "%.2f", d / hz * 1e6 / n }')
		extra=""
		if ((non2xx)); then extra+=", non-2xx/3xx $non2xx"; fi
		if ((sockerr)); then extra+=", socket errors $sockerr"; fi
		log "round $r/$ROUNDS ${LABEL[$t]}: $rps req/s, p50 $(awk -v v="$p50" 'BEGIN{printf "%.3f", v/1000}') ms, p99 $(awk -v v="$p99" 'BEGIN{printf "%.3f", v/1000}') ms, ${CPU_US[$t,$r]} us CPU/req$extra"
	done
	for t in "${TARGETS[@]}"; do
		RATIO[$t,$r]=$(awk -v a="${RPS[$t,$r]}" -v b="${RPS[direct,$r]}" 'BEGIN { printf "%.4f", a / b }')
	done
done
PEAK_HWM_KB=$(status_kb "$GW_PID" VmHWM)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report

med() { # ARRAYNAME TARGET
	local -n arr=$1
	local vals=() r
	for ((r = 1; r <= ROUNDS; r++)); do vals+=("${arr[$2,$r]}"); done
	median "${vals[@]}"
}
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

ELAPSED=$((SECONDS - START_TIME))
echo
echo "Gatehouse gateway benchmark ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ', dirty tree'))"
echo "wrk -t1 -c$CONNS -d${DURATION}s --latency on CPU $CLIENT_CPU; servers on CPU $SERVER_CPU (Go: GOMAXPROCS=1, nginx: 1 worker)"
echo "${ROUNDS} interleaved round(s), ${WARMUP}s warm-up per run; medians over rounds; 'vs direct' is the median of per-round ratios"
echo "load average before the runs: $LOAD_BEFORE, after: $LOAD_AFTER (other work on this machine skews the numbers)"
echo "server CPU/req: CPU time of the serving process (backend, nginx worker, gatehouse) per request"
echo
printf '%-16s %11s %10s %10s %10s %15s %9s %9s\n' target "req/s" "p50 ms" "p99 ms" "vs direct" "server CPU/req" "non-2xx" "sock err"
printf '%-16s %11s %10s %10s %10s %15s %9s %9s\n' ---------------- ----------- ---------- ---------- ---------- --------------- --------- ---------
for t in "${TARGETS[@]}"; do
	printf '%-16s %11.0f %10.3f %10.3f %9.3fx %12.1f us %9d %9d\n' "${LABEL[$t]}" \
		"$(med RPS "$t")" "$(awk -v v="$(med P50 "$t")" 'BEGIN{print v/1000}')" \
		"$(awk -v v="$(med P99 "$t")" 'BEGIN{print v/1000}')" "$(med RATIO "$t")" \
		"$(med CPU_US "$t")" "${TOTAL_NON2XX[$t]}" "${TOTAL_SOCKERR[$t]}"
done
KEYED_RATIO=$(med RATIO keyed)
KEYED_CPU=$(med CPU_US keyed)
OPEN_CPU=$(med CPU_US open)
echo
printf 'gateway CPU per proxied request: open %.1f us, keyed %.1f us (median over rounds)\n' "$OPEN_CPU" "$KEYED_CPU"
printf 'gateway RSS: idle %s MiB (VmHWM %s MiB); under load peak sampled VmRSS %s MiB, VmHWM %s MiB\n' \
	"$(mb "$IDLE_RSS_KB")" "$(mb "$IDLE_HWM_KB")" "$(mb "$PEAK_RSS_KB")" "$(mb "$PEAK_HWM_KB")"
echo
goal() { # DESCRIPTION VALUE MET(0/1)
	printf '  %-36s %-14s %s\n' "$1" "$2" "$([[ $3 == 1 ]] && echo met || echo MISSED)"
}
echo "goals (for context; missing one does not fail the benchmark):"
goal "keyed gateway >= ${GOAL_KEYED_RATIO}x direct" "$(printf '%.3fx' "$KEYED_RATIO")" \
	"$(awk -v v="$KEYED_RATIO" -v g="$GOAL_KEYED_RATIO" 'BEGIN { print (v >= g) ? 1 : 0 }')"
goal "keyed CPU <= ${GOAL_KEYED_CPU_US} us/request" "$(printf '%.1f us' "$KEYED_CPU")" \
	"$(awk -v v="$KEYED_CPU" -v g="$GOAL_KEYED_CPU_US" 'BEGIN { print (v <= g) ? 1 : 0 }')"
goal "idle RSS < ${GOAL_IDLE_RSS_MB} MB" "$(mb "$IDLE_RSS_KB") MiB" \
	"$(awk -v v="$IDLE_RSS_KB" -v g="$GOAL_IDLE_RSS_MB" 'BEGIN { print (v / 1024 < g) ? 1 : 0 }')"
for t in "${TARGETS[@]}"; do
	if ((TOTAL_NON2XX[$t] || TOTAL_SOCKERR[$t])); then
		echo "warning: ${LABEL[$t]}: ${TOTAL_NON2XX[$t]} non-2xx/3xx responses, ${TOTAL_SOCKERR[$t]} socket errors over all rounds"
	fi
done
echo
echo "total time ${ELAPSED}s"
