#!/usr/bin/env bash
# bench.sh - throughput, latency, CPU and memory benchmark of the Gatehouse gateway
# (run by `make bench`).
#
# It starts, on loopback and with free ports, a tiny Go backend (scripts/benchbackend),
# nginx as a plain keep-alive reverse proxy to it (scripts/nginx-bench.conf.tmpl), and
# `gatehouse serve` with a fresh data directory, all pinned to CPU 0 (Go processes with
# GOMAXPROCS=1, nginx with one worker). It publishes an open API and subscription-keyed
# APIs, then drives these targets with wrk pinned to CPU 1, interleaved over several
# rounds:
#
#   direct     the backend directly
#   nginx      nginx as a plain reverse proxy
#   caddy      Caddy as a plain reverse proxy (GOMAXPROCS=1), when installed
#   haproxy    HAProxy as a plain reverse proxy (one thread), when installed
#   relay      the floor of a Go proxy: scripts/benchrelay, which passes bytes between
#              client and backend connections on the runtime's netpoller without
#              reading them (GOMAXPROCS=1)
#   open       the gateway, an API without subscription (the fast path)
#   keyed      the gateway, an API with a subscription key (the fast path)
#   pipeline   keyed, plus a policy that only sets a variable: what running a compiled
#              policy pipeline (instead of the fast path) costs by itself
#   ratelimit  keyed, plus <rate-limit-by-key calls="1000000000" renewal-period="60"
#              counter-key="@(context.Subscription.Id)" /> with in-memory counters
#   policy     keyed, plus that rate limit and five common elements: three set-header
#              (literal and expression values), a choose on a header, a set-variable
#   redis      the same policy on a second `gatehouse serve --redis URL` (also on the
#              server CPU), counters in Redis (BENCH_REDIS); skipped, with the reason,
#              when Redis cannot be reached
#   jwt        keyed, plus <validate-jwt header-name="Authorization" require-scheme="Bearer">
#              with an HS256 <issuer-signing-keys> key, <audiences> and <issuers>; every
#              request carries a valid token made by scripts/benchtoken
#
# The subscription and so the rate-limit counter key are unique to the run
# (gatehouse-bench-RANDOM); the Redis keys are deleted at the end (scripts/benchredis).
#
# It prints, per target, the median over rounds of requests/s, p50 and p99 latency, the
# ratios to the direct backend and to the keyed gateway (medians of per-round ratios) and
# the serving process's CPU time per request, then the gateway's CPU time per request and
# its resident memory idle and under load, and the project's goals for context. Missing a
# goal never fails the script; only setup errors do (a failed install, build or
# configuration call, a process that dies).
#
# Environment:
#   BENCH_DURATION     seconds per measured wrk run          (default 8)
#   BENCH_ROUNDS       rounds over the targets               (default 3)
#   BENCH_WARMUP       seconds of warm-up before each run    (default 2)
#   BENCH_CONNECTIONS  wrk connections                       (default 32)
#   BENCH_SERVER_CPU   CPU for backend, nginx, gatehouse     (default 0)
#   BENCH_CLIENT_CPU   CPU for wrk and this script           (default 1)
#   BENCH_REDIS        Redis URL of the redis row (redis:// or rediss://)
#                                                            (default redis://127.0.0.1:6379/0;
#                                                            empty: skip the row)
#   BENCH_TARGETS      targets to run, space-separated       (default: all of the above;
#                                                            direct and keyed are always run)
#   BENCH_PROFILE      seconds: after the measured rounds, take a CPU profile of the
#                      gateway under wrk load for each gateway target (default 0: off);
#                      profiles are kept in BENCH_PROFILE_DIR (default: a new
#                      directory under $TMPDIR, printed at the end)
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
RUN_ID=$(printf '%04x%04x%04x' "$RANDOM" "$RANDOM" "$RANDOM")
SUB_ID=gatehouse-bench-$RUN_ID # the subscription id: the rate-limit counter key, unique per run
REDIS_URL=${BENCH_REDIS-redis://127.0.0.1:6379/0}
PROFILE_SECONDS=${BENCH_PROFILE:-0}
PROFILE_DIR=${BENCH_PROFILE_DIR:-} # empty: a new directory under $TMPDIR
JWT_ISSUER=https://bench.gatehouse.invalid/
JWT_AUDIENCE=api://gatehouse-bench
READY_PATH=/internal-status-0123456789abcdef

# Goals, printed for context only.
GOAL_KEYED_RATIO=0.40
GOAL_KEYED_CPU_US=40
GOAL_KEYED_CPU_VS_CADDY=0.40 # keyed CPU per request at most 0.4x Caddy's plain proxy
GOAL_POLICY_RATIO=0.33       # keyed + rate limit + five common elements
GOAL_IDLE_RSS_MB=30
GOAL_RATELIMIT_VS_KEYED=0.90 # in-memory rate limit within 10% of the keyed gateway
GOAL_REDIS_VS_KEYED=0.75     # Redis rate limit within 25%
GOAL_REDIS_VS_MEMORY=0.80    # Redis counters at least 0.8x the in-memory ones

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

log "building bin/gatehouse, bin/benchbackend, bin/benchrelay, bin/benchtoken and bin/benchredis"
go build -o bin/gatehouse ./cmd/gatehouse
go build -o bin/benchbackend ./scripts/benchbackend
go build -o bin/benchrelay ./scripts/benchrelay
go build -o bin/benchtoken ./scripts/benchtoken
go build -o bin/benchredis ./scripts/benchredis

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

# mgmt_put PATH JSON [CONTENT-TYPE [MGMT-URL]] calls the management API and fails unless
# it answers 2xx.
mgmt_put() {
	local path=$1 body=$2 ctype=${3:-application/json} base=${4:-$MGMT} code
	code=$(curl -sS -o "$WORK/mgmt-response" -w '%{http_code}' -X PUT \
		-H "Authorization: Bearer $ADMIN_TOKEN" -H "Content-Type: $ctype" \
		--data-binary "$body" "$base/mgmt$path") || die "PUT $path: curl failed"
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

# ---------------------------------------------------------------- targets

ALL_TARGETS=(direct nginx caddy haproxy relay open keyed pipeline ratelimit policy redis jwt)
declare -A WANT=()
for t in ${BENCH_TARGETS:-${ALL_TARGETS[*]}} direct keyed; do
	[[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || die "BENCH_TARGETS: unknown target $t (known: ${ALL_TARGETS[*]})"
	WANT[$t]=1
done
wanted() { [[ -n ${WANT[$1]:-} ]]; }

# The Redis row needs a reachable Redis; without one it is skipped, with the reason.
REDIS_SKIP=""
REDIS_SERVER_PID=0
if wanted redis; then
	if [[ -z $REDIS_URL ]]; then
		REDIS_SKIP="BENCH_REDIS is empty"
	elif ! redis_info=$(bin/benchredis -url "$REDIS_URL" ping 2>&1); then
		REDIS_SKIP="Redis is not reachable: $(printf '%s' "$redis_info" | tr '\n' ' ')"
	else
		read -r REDIS_SERVER_PID REDIS_VERSION <<<"$redis_info"
		log "Redis $REDIS_VERSION at $REDIS_URL (server pid $REDIS_SERVER_PID)"
		# Its CPU time is reported when it runs on this machine and we may read it.
		if [[ $REDIS_SERVER_PID == 0 ]] || ! (cpu_ticks "$REDIS_SERVER_PID") >/dev/null 2>&1; then
			REDIS_SERVER_PID=0
		fi
	fi
	if [[ -n $REDIS_SKIP ]]; then
		log "skipping the redis row: $REDIS_SKIP"
		unset 'WANT[redis]'
	fi
fi
# Caddy and HAProxy are compared with when installed (apt-get install caddy haproxy).
CADDY=$(command -v caddy || true)
HAPROXY=$(command -v haproxy || true)
if [[ -z $HAPROXY && -x /usr/sbin/haproxy ]]; then HAPROXY=/usr/sbin/haproxy; fi
for t in caddy haproxy; do
	bin_var=${t^^}
	if wanted "$t" && [[ -z ${!bin_var} ]]; then
		log "skipping the $t row: $t is not installed"
		unset "WANT[$t]"
	fi
done
TARGETS=()
for t in "${ALL_TARGETS[@]}"; do
	if wanted "$t"; then TARGETS+=("$t"); fi
done
gateway_target() { [[ $1 != direct && $1 != nginx && $1 != caddy && $1 != haproxy && $1 != relay ]]; }

# ---------------------------------------------------------------- start

# From here on this script (and the samplers it forks) stays off the servers' CPU.
taskset -p -c "$CLIENT_CPU" $$ >/dev/null

free_port BACKEND_PORT
free_port NGINX_PORT
free_port GW_PORT
free_port MGMT_PORT
MGMT=http://127.0.0.1:$MGMT_PORT
ADMIN_TOKEN=bench-$RANDOM$RANDOM$RANDOM
DEBUG_FLAGS=()
if ((PROFILE_SECONDS > 0)); then
	free_port DEBUG_PORT
	DEBUG_FLAGS=(--debug-addr "127.0.0.1:$DEBUG_PORT")
fi

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

CADDY_PID="" HAPROXY_PID="" RELAY_PID=""
if wanted relay; then
	free_port RELAY_PORT
	start relay "$WORK/relay.log" \
		env GOMAXPROCS=1 taskset -c "$SERVER_CPU" bin/benchrelay -addr "127.0.0.1:$RELAY_PORT" -backend "127.0.0.1:$BACKEND_PORT"
	RELAY_PID=$LAST_PID
fi
if wanted caddy; then
	free_port CADDY_PORT
	mkdir -p "$WORK/caddy"
	printf '{\n\tadmin off\n\tauto_https off\n}\nhttp://127.0.0.1:%s {\n\treverse_proxy 127.0.0.1:%s\n}\n' \
		"$CADDY_PORT" "$BACKEND_PORT" >"$WORK/caddy/Caddyfile"
	start caddy "$WORK/caddy.log" \
		env GOMAXPROCS=1 HOME="$WORK/caddy" XDG_DATA_HOME="$WORK/caddy" XDG_CONFIG_HOME="$WORK/caddy" taskset -c "$SERVER_CPU" \
		"$CADDY" run --adapter caddyfile --config "$WORK/caddy/Caddyfile"
	CADDY_PID=$LAST_PID
fi
if wanted haproxy; then
	free_port HAPROXY_PORT
	printf 'global\n\tnbthread 1\n\tmaxconn 4096\ndefaults\n\tmode http\n\ttimeout connect 5s\n\ttimeout client 30s\n\ttimeout server 30s\nfrontend bench\n\tbind 127.0.0.1:%s\n\tdefault_backend backend\nbackend backend\n\thttp-reuse always\n\tserver s1 127.0.0.1:%s\n' \
		"$HAPROXY_PORT" "$BACKEND_PORT" >"$WORK/haproxy.cfg"
	start haproxy "$WORK/haproxy.log" taskset -c "$SERVER_CPU" "$HAPROXY" -db -f "$WORK/haproxy.cfg"
	HAPROXY_PID=$LAST_PID
fi

mkdir -p "$WORK/data"
start gatehouse "$WORK/gatehouse.log" \
	env GOMAXPROCS=1 GATEHOUSE_ADMIN_TOKEN="$ADMIN_TOKEN" taskset -c "$SERVER_CPU" \
	bin/gatehouse serve --data "$WORK/data" --gateway-http "127.0.0.1:$GW_PORT" \
	--mgmt "127.0.0.1:$MGMT_PORT" --access-log=false --log-level warn "${DEBUG_FLAGS[@]}"
GW_PID=$LAST_PID

# The redis row has its own gateway: the same binary and flags plus --redis. It fails
# closed, so that a Redis lost during the run shows as 500s rather than as local counting.
GW2_PID=""
if wanted redis; then
	free_port GW2_PORT
	free_port MGMT2_PORT
	MGMT2=http://127.0.0.1:$MGMT2_PORT
	DEBUG2_FLAGS=()
	if ((PROFILE_SECONDS > 0)); then
		free_port DEBUG2_PORT
		DEBUG2_FLAGS=(--debug-addr "127.0.0.1:$DEBUG2_PORT")
	fi
	log "Redis gateway :$GW2_PORT, management :$MGMT2_PORT"
	mkdir -p "$WORK/data-redis"
	start gatehouse-redis "$WORK/gatehouse-redis.log" \
		env GOMAXPROCS=1 GATEHOUSE_ADMIN_TOKEN="$ADMIN_TOKEN" taskset -c "$SERVER_CPU" \
		bin/gatehouse serve --data "$WORK/data-redis" --gateway-http "127.0.0.1:$GW2_PORT" \
		--mgmt "127.0.0.1:$MGMT2_PORT" --access-log=false --log-level warn \
		--redis "$REDIS_URL" --redis-fail-open=false "${DEBUG2_FLAGS[@]}"
	GW2_PID=$LAST_PID
fi

wait_ok "http://127.0.0.1:$BACKEND_PORT/"
wait_ok "http://127.0.0.1:$NGINX_PORT/"
if [[ -n $CADDY_PID ]]; then wait_ok "http://127.0.0.1:$CADDY_PORT/"; fi
if [[ -n $HAPROXY_PID ]]; then wait_ok "http://127.0.0.1:$HAPROXY_PORT/"; fi
if [[ -n $RELAY_PID ]]; then wait_ok "http://127.0.0.1:$RELAY_PORT/"; fi
wait_ok "$MGMT/mgmt/apis" -H "Authorization: Bearer $ADMIN_TOKEN"
if [[ -n $GW2_PID ]]; then wait_ok "$MGMT2/mgmt/apis" -H "Authorization: Bearer $ADMIN_TOKEN"; fi

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
JWT_KEY=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
JWT_TOKEN=$(bin/benchtoken -key "$JWT_KEY" -issuer "$JWT_ISSUER" -audience "$JWT_AUDIENCE" -ttl 2h) ||
	die "benchtoken failed"

PIPELINE_POLICY='<policies>
  <inbound><base /><set-variable name="bench" value="1" /></inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>'
RATELIMIT_POLICY='<policies>
  <inbound>
    <base />
    <rate-limit-by-key calls="1000000000" renewal-period="60" counter-key="@(context.Subscription.Id)" />
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>'
POLICY_POLICY='<policies>
  <inbound>
    <base />
    <rate-limit-by-key calls="1000000000" renewal-period="60" counter-key="@(context.Subscription.Id)" />
    <set-header name="X-Request-Source" exists-action="override"><value>gateway</value></set-header>
    <set-header name="X-Subscription" exists-action="override"><value>@(context.Subscription.Id)</value></set-header>
    <choose>
      <when condition="@(context.Request.Headers.GetValueOrDefault(&quot;X-Debug&quot;, &quot;&quot;) == &quot;1&quot;)">
        <set-header name="X-Debug-Echo" exists-action="override"><value>1</value></set-header>
      </when>
    </choose>
    <set-variable name="started" value="@(context.Timestamp.Ticks)" />
    <set-header name="X-Api" exists-action="override"><value>@(context.Api.Name)</value></set-header>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>'
JWT_POLICY="<policies>
  <inbound>
    <base />
    <validate-jwt header-name=\"Authorization\" require-scheme=\"Bearer\">
      <issuer-signing-keys><key>$JWT_KEY</key></issuer-signing-keys>
      <audiences><audience>$JWT_AUDIENCE</audience></audiences>
      <issuers><issuer>$JWT_ISSUER</issuer></issuers>
    </validate-jwt>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>"

# add_api MGMT-URL ID [POLICY] publishes API ID at path ID (one operation for every
# method and path, subscription required unless ID is open) with an optional API policy.
add_api() {
	local base=$1 id=$2 policy=${3:-} sub=true
	[[ $id == open ]] && sub=false
	mgmt_put "/apis/$id" "{\"properties\":{\"displayName\":\"$id\",\"path\":\"$id\",\"serviceUrl\":\"$BACKEND_URL\",\"subscriptionRequired\":$sub}}" application/json "$base"
	mgmt_put "/apis/$id/operations/all" '{"properties":{"method":"*","urlTemplate":"/*"}}' application/json "$base"
	if [[ -n $policy ]]; then
		mgmt_put "/apis/$id/policy" "$policy" application/xml "$base"
	fi
}
# One subscription to all APIs; its id is the rate-limit counter key.
add_subscription() { # MGMT-URL
	mgmt_put "/subscriptions/$SUB_ID" "{\"properties\":{\"displayName\":\"Bench $RUN_ID\",\"scope\":\"/apis\",\"primaryKey\":\"$SUB_KEY\"}}" application/json "$1"
}

add_api "$MGMT" open
add_api "$MGMT" keyed
if wanted pipeline; then add_api "$MGMT" pipeline "$PIPELINE_POLICY"; fi
if wanted ratelimit; then add_api "$MGMT" ratelimit "$RATELIMIT_POLICY"; fi
if wanted policy; then add_api "$MGMT" policy "$POLICY_POLICY"; fi
if wanted jwt; then add_api "$MGMT" jwt "$JWT_POLICY"; fi
add_subscription "$MGMT"
if [[ -n $GW2_PID ]]; then
	add_api "$MGMT2" ratelimit "$RATELIMIT_POLICY"
	add_subscription "$MGMT2"
fi

GW=http://127.0.0.1:$GW_PORT
KEY_HDR="Ocp-Apim-Subscription-Key: $SUB_KEY"
JWT_HDR="Authorization: Bearer $JWT_TOKEN"
wait_ok "$GW$READY_PATH"
wait_ok "$GW/open/hello"
wait_ok "$GW/keyed/hello" -H "$KEY_HDR"
code=$(curl -s -o /dev/null -w '%{http_code}' "$GW/keyed/hello")
[[ $code == 401 ]] || log "warning: keyed API without a key answered $code, expected 401"
if wanted pipeline; then wait_ok "$GW/pipeline/hello" -H "$KEY_HDR"; fi
if wanted ratelimit; then wait_ok "$GW/ratelimit/hello" -H "$KEY_HDR"; fi
if wanted policy; then wait_ok "$GW/policy/hello" -H "$KEY_HDR"; fi
if wanted jwt; then
	wait_ok "$GW/jwt/hello" -H "$KEY_HDR" -H "$JWT_HDR"
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "$KEY_HDR" "$GW/jwt/hello")
	[[ $code == 401 ]] || die "the jwt API without a token answered $code, expected 401: validate-jwt is not in effect"
fi
if [[ -n $GW2_PID ]]; then
	wait_ok "http://127.0.0.1:$GW2_PORT$READY_PATH"
	wait_ok "http://127.0.0.1:$GW2_PORT/ratelimit/hello" -H "$KEY_HDR"
fi

sleep 1
IDLE_RSS_KB=$(status_kb "$GW_PID" VmRSS)
IDLE_HWM_KB=$(status_kb "$GW_PID" VmHWM)

# ---------------------------------------------------------------- run

declare -A LABEL=([direct]="direct backend" [nginx]="nginx" [caddy]="caddy" [haproxy]="haproxy" [relay]="Go relay (floor)" [open]="gateway open" [keyed]="gateway keyed"
	[pipeline]="keyed+pipeline" [ratelimit]="keyed+rl memory" [policy]="keyed+rl+policy" [redis]="keyed+rl Redis" [jwt]="keyed+jwt")
declare -A URL=(
	[direct]="http://127.0.0.1:$BACKEND_PORT/hello"
	[nginx]="http://127.0.0.1:$NGINX_PORT/hello"
	[caddy]="http://127.0.0.1:${CADDY_PORT:-0}/hello"
	[haproxy]="http://127.0.0.1:${HAPROXY_PORT:-0}/hello"
	[relay]="http://127.0.0.1:${RELAY_PORT:-0}/hello"
	[open]="$GW/open/hello"
	[keyed]="$GW/keyed/hello"
	[pipeline]="$GW/pipeline/hello"
	[ratelimit]="$GW/ratelimit/hello"
	[policy]="$GW/policy/hello"
	[redis]="http://127.0.0.1:${GW2_PORT:-0}/ratelimit/hello"
	[jwt]="$GW/jwt/hello"
)
declare -A CPU_PIDS=([direct]="$BACKEND_PID" [nginx]="$NGINX_WORKERS" [caddy]="$CADDY_PID" [haproxy]="$HAPROXY_PID" [relay]="$RELAY_PID" [open]="$GW_PID" [keyed]="$GW_PID"
	[pipeline]="$GW_PID" [ratelimit]="$GW_PID" [policy]="$GW_PID" [redis]="$GW2_PID" [jwt]="$GW_PID")
declare -A RPS P50 P99 RATIO VS_KEYED CPU_US CPU_VS_KEYED REDIS_CPU_US TOTAL_NON2XX TOTAL_SOCKERR
for t in "${TARGETS[@]}"; do
	TOTAL_NON2XX[$t]=0
	TOTAL_SOCKERR[$t]=0
done
PEAK_RSS_KB=$IDLE_RSS_KB
PEAK2_RSS_KB=0

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
	case $1 in
	direct | nginx | caddy | haproxy | relay | open) ;;
	jwt) args+=(-H "$KEY_HDR" -H "$JWT_HDR") ;;
	*) args+=(-H "$KEY_HDR") ;;
	esac
	taskset -c "$CLIENT_CPU" wrk "${args[@]}" "${URL[$1]}"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "running ${ROUNDS} round(s) x ${#TARGETS[@]} targets (${TARGETS[*]}) x (${WARMUP}s warm-up + ${DURATION}s), ${CONNS} connections"
for ((r = 1; r <= ROUNDS; r++)); do
	for t in "${TARGETS[@]}"; do
		if ((WARMUP > 0)); then
			wrk_cmd "$t" "$WARMUP" >"$WORK/warmup-$t-$r.txt" 2>&1 || die "wrk warm-up against $t failed: $(cat "$WORK/warmup-$t-$r.txt")"
		fi
		check_alive
		sampler=""
		if gateway_target "$t"; then
			echo 0 >"$WORK/rss-$t-$r"
			sample_rss "${CPU_PIDS[$t]}" "$WORK/rss-$t-$r" &
			sampler=$!
		fi
		# shellcheck disable=SC2086 # CPU_PIDS may list several pids
		before=$(cpu_ticks ${CPU_PIDS[$t]})
		redis_before=0
		if [[ $t == redis ]] && ((REDIS_SERVER_PID)); then redis_before=$(cpu_ticks "$REDIS_SERVER_PID"); fi
		out="$WORK/wrk-$t-$r.txt"
		wrk_cmd "$t" "$DURATION" >"$out" 2>&1 || die "wrk against $t failed: $(cat "$out")"
		# shellcheck disable=SC2086
		after=$(cpu_ticks ${CPU_PIDS[$t]})
		redis_after=0
		if [[ $t == redis ]] && ((REDIS_SERVER_PID)); then redis_after=$(cpu_ticks "$REDIS_SERVER_PID"); fi
		if [[ -n $sampler ]]; then
			kill "$sampler" 2>/dev/null || true
			wait "$sampler" 2>/dev/null || true
			v=$(<"$WORK/rss-$t-$r")
			if [[ $t == redis ]]; then
				if ((v > PEAK2_RSS_KB)); then PEAK2_RSS_KB=$v; fi
			elif ((v > PEAK_RSS_KB)); then
				PEAK_RSS_KB=$v
			fi
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
		if [[ $t == redis ]] && ((REDIS_SERVER_PID)); then
			REDIS_CPU_US[$r]=$(awk -v d="$((redis_after - redis_before))" -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN { printf "%.2f", d / hz * 1e6 / n }')
			extra+=", redis-server ${REDIS_CPU_US[$r]} us CPU/req"
		fi
		if ((non2xx)); then extra+=", non-2xx/3xx $non2xx"; fi
		if ((sockerr)); then extra+=", socket errors $sockerr"; fi
		log "round $r/$ROUNDS ${LABEL[$t]}: $rps req/s, p50 $(awk -v v="$p50" 'BEGIN{printf "%.3f", v/1000}') ms, p99 $(awk -v v="$p99" 'BEGIN{printf "%.3f", v/1000}') ms, ${CPU_US[$t,$r]} us CPU/req$extra"
	done
	for t in "${TARGETS[@]}"; do
		RATIO[$t,$r]=$(awk -v a="${RPS[$t,$r]}" -v b="${RPS[direct,$r]}" 'BEGIN { printf "%.4f", a / b }')
		VS_KEYED[$t,$r]=$(awk -v a="${RPS[$t,$r]}" -v b="${RPS[keyed,$r]}" 'BEGIN { printf "%.4f", a / b }')
		CPU_VS_KEYED[$t,$r]=$(awk -v a="${CPU_US[$t,$r]}" -v b="${CPU_US[keyed,$r]}" 'BEGIN { printf "%.4f", (a > 0) ? b / a : 0 }')
	done
done
PEAK_HWM_KB=$(status_kb "$GW_PID" VmHWM)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# The Redis gateway fails closed, so 500s (non-2xx) would show a Redis lost during the
# run; that the counter's keys exist shows that Redis, not a local fallback, counted.
REDIS_NOTE=""
if [[ -n $GW2_PID ]]; then
	pattern="gatehouse:limits:{rate-limit-by-key:$SUB_ID}*"
	if n=$(bin/benchredis -url "$REDIS_URL" clean "$pattern" 2>&1); then
		if ((n == 0)); then
			REDIS_NOTE="warning: no Redis keys matched $pattern after the run: the redis row may not have counted in Redis"
		else
			log "deleted $n Redis key(s) matching $pattern"
		fi
	else
		REDIS_NOTE="warning: could not delete the Redis keys $pattern: $n"
	fi
	if grep -qi 'redis unreachable' "$WORK/gatehouse-redis.log"; then
		REDIS_NOTE+="${REDIS_NOTE:+; }warning: the Redis gateway logged that Redis was unreachable during the run"
	fi
fi

# ---------------------------------------------------------------- profile

# With BENCH_PROFILE=SECONDS, after the measured rounds (so that profiling does not skew
# them), each gateway target is loaded again for SECONDS while its gateway's CPU profile
# is taken through --debug-addr.
PROFILES=()
if ((PROFILE_SECONDS > 0)); then
	if [[ -z $PROFILE_DIR ]]; then
		PROFILE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench-profiles.XXXXXX")
	fi
	mkdir -p "$PROFILE_DIR"
	for t in "${TARGETS[@]}"; do
		gateway_target "$t" || continue
		port=$DEBUG_PORT
		[[ $t == redis ]] && port=$DEBUG2_PORT
		prof="$PROFILE_DIR/$t.pprof"
		# wrk starts first and outlasts the profile by a second on each side.
		wrk_cmd "$t" "$((PROFILE_SECONDS + 2))" >"$PROFILE_DIR/$t.wrk.txt" 2>&1 &
		wrk_pid=$!
		sleep 1
		curl -sS -o "$prof" --max-time "$((PROFILE_SECONDS + 30))" \
			"http://127.0.0.1:$port/debug/pprof/profile?seconds=$PROFILE_SECONDS" ||
			die "could not take the CPU profile of $t"
		wait "$wrk_pid" || die "wrk against $t failed while profiling: $(cat "$PROFILE_DIR/$t.wrk.txt")"
		check_alive
		PROFILES+=("$prof")
		log "profiled ${LABEL[$t]}: $prof"
	done
fi

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
echo "${ROUNDS} interleaved round(s), ${WARMUP}s warm-up per run; medians over rounds; 'vs direct' and 'vs keyed' are medians of per-round ratios"
echo "load average before the runs: $LOAD_BEFORE, after: $LOAD_AFTER (other work on this machine skews the numbers)"
echo "server CPU/req: CPU time of the serving process (backend, nginx worker, gatehouse) per request"
echo "CPU vs keyed: the keyed gateway's CPU/req divided by this row's (median of per-round ratios): the throughput"
echo "  ratio to keyed were the gateway alone on its CPU; steadier than 'vs keyed' when other work competes"
echo
echo "keyed+pipeline:  keyed API plus a policy that only sets a variable (the policy pipeline instead of the fast path)"
echo "keyed+rl memory: keyed API plus rate-limit-by-key calls=1000000000 renewal-period=60 counter-key=@(context.Subscription.Id), in-memory counters"
if [[ -n $GW2_PID ]]; then
	echo "keyed+rl Redis:  the same on a second gateway with --redis $REDIS_URL (Redis $REDIS_VERSION)"
elif [[ -n $REDIS_SKIP ]]; then
	echo "keyed+rl Redis:  SKIPPED: $REDIS_SKIP"
fi
echo "keyed+jwt:       keyed API plus validate-jwt (HS256 issuer-signing-key, audience, issuer), a valid token on every request"
echo
printf '%-16s %11s %10s %10s %10s %9s %15s %12s %9s %9s\n' target "req/s" "p50 ms" "p99 ms" "vs direct" "vs keyed" "server CPU/req" "CPU vs keyed" "non-2xx" "sock err"
printf '%-16s %11s %10s %10s %10s %9s %15s %12s %9s %9s\n' ---------------- ----------- ---------- ---------- ---------- --------- --------------- ------------ --------- ---------
for t in "${TARGETS[@]}"; do
	cvk=-
	if gateway_target "$t"; then cvk=$(printf '%.3fx' "$(med CPU_VS_KEYED "$t")"); fi
	printf '%-16s %11.0f %10.3f %10.3f %9.3fx %8.3fx %12.1f us %12s %9d %9d\n' "${LABEL[$t]}" \
		"$(med RPS "$t")" "$(awk -v v="$(med P50 "$t")" 'BEGIN{print v/1000}')" \
		"$(awk -v v="$(med P99 "$t")" 'BEGIN{print v/1000}')" "$(med RATIO "$t")" "$(med VS_KEYED "$t")" \
		"$(med CPU_US "$t")" "$cvk" "${TOTAL_NON2XX[$t]}" "${TOTAL_SOCKERR[$t]}"
done
KEYED_RATIO=$(med RATIO keyed)
KEYED_CPU=$(med CPU_US keyed)
echo
if wanted open; then
	printf 'gateway CPU per proxied request: open %.1f us, keyed %.1f us (median over rounds)\n' "$(med CPU_US open)" "$KEYED_CPU"
else
	printf 'gateway CPU per proxied request: keyed %.1f us (median over rounds)\n' "$KEYED_CPU"
fi
if [[ -n $GW2_PID ]] && ((REDIS_SERVER_PID)); then
	vals=()
	for ((r = 1; r <= ROUNDS; r++)); do vals+=("${REDIS_CPU_US[$r]}"); done
	printf 'redis-server CPU per request of the Redis row: %.1f us (not pinned; includes any other client of that Redis)\n' "$(median "${vals[@]}")"
fi
printf 'gateway RSS: idle %s MiB (VmHWM %s MiB); under load peak sampled VmRSS %s MiB, VmHWM %s MiB\n' \
	"$(mb "$IDLE_RSS_KB")" "$(mb "$IDLE_HWM_KB")" "$(mb "$PEAK_RSS_KB")" "$(mb "$PEAK_HWM_KB")"
if [[ -n $GW2_PID ]]; then
	printf 'Redis gateway RSS under load: peak sampled VmRSS %s MiB\n' "$(mb "$PEAK2_RSS_KB")"
fi
echo
goal() { # DESCRIPTION VALUE MET(0/1)
	printf '  %-36s %-14s %s\n' "$1" "$2" "$([[ $3 == 1 ]] && echo met || echo MISSED)"
}
ratio_goal() { # TARGET DESCRIPTION MINIMUM
	wanted "$1" || return 0
	local v
	v=$(med VS_KEYED "$1")
	goal "$2 >= ${3}x keyed" "$(printf '%.3fx' "$v")" "$(awk -v v="$v" -v g="$3" 'BEGIN { print (v >= g) ? 1 : 0 }')"
	printf '  %-36s %.3fx\n' "  (by CPU per request: CPU vs keyed)" "$(med CPU_VS_KEYED "$1")"
}
echo "goals (for context; missing one does not fail the benchmark):"
goal "keyed gateway >= ${GOAL_KEYED_RATIO}x direct" "$(printf '%.3fx' "$KEYED_RATIO")" \
	"$(awk -v v="$KEYED_RATIO" -v g="$GOAL_KEYED_RATIO" 'BEGIN { print (v >= g) ? 1 : 0 }')"
goal "keyed CPU <= ${GOAL_KEYED_CPU_US} us/request" "$(printf '%.1f us' "$KEYED_CPU")" \
	"$(awk -v v="$KEYED_CPU" -v g="$GOAL_KEYED_CPU_US" 'BEGIN { print (v <= g) ? 1 : 0 }')"
goal "idle RSS < ${GOAL_IDLE_RSS_MB} MB" "$(mb "$IDLE_RSS_KB") MiB" \
	"$(awk -v v="$IDLE_RSS_KB" -v g="$GOAL_IDLE_RSS_MB" 'BEGIN { print (v / 1024 < g) ? 1 : 0 }')"
if wanted caddy && [[ -n $CADDY ]]; then
	v=$(awk -v k="$KEYED_CPU" -v c="$(med CPU_US caddy)" 'BEGIN { printf "%.3f", (c > 0) ? k / c : 0 }')
	goal "keyed CPU <= ${GOAL_KEYED_CPU_VS_CADDY}x Caddy's" "${v}x" \
		"$(awk -v v="$v" -v g="$GOAL_KEYED_CPU_VS_CADDY" 'BEGIN { print (v > 0 && v <= g) ? 1 : 0 }')"
fi
if wanted policy; then
	v=$(med RATIO policy)
	goal "keyed+rl+policy >= ${GOAL_POLICY_RATIO}x direct" "$(printf '%.3fx' "$v")" \
		"$(awk -v v="$v" -v g="$GOAL_POLICY_RATIO" 'BEGIN { print (v >= g) ? 1 : 0 }')"
fi
ratio_goal ratelimit "rate limit (memory)" "$GOAL_RATELIMIT_VS_KEYED"
ratio_goal redis "rate limit (Redis)" "$GOAL_REDIS_VS_KEYED"
if wanted redis && wanted ratelimit && [[ -z $REDIS_SKIP ]]; then
	v=$(awk -v r="$(med RATIO redis)" -v m="$(med RATIO ratelimit)" 'BEGIN { printf "%.3f", (m > 0) ? r / m : 0 }')
	goal "rate limit Redis >= ${GOAL_REDIS_VS_MEMORY}x memory" "${v}x" \
		"$(awk -v v="$v" -v g="$GOAL_REDIS_VS_MEMORY" 'BEGIN { print (v >= g) ? 1 : 0 }')"
fi
if [[ -n $REDIS_SKIP ]]; then
	printf '  %-36s %-14s %s\n' "rate limit (Redis) >= ${GOAL_REDIS_VS_KEYED}x keyed" "-" "skipped ($REDIS_SKIP)"
fi
for t in "${TARGETS[@]}"; do
	if ((TOTAL_NON2XX[$t] || TOTAL_SOCKERR[$t])); then
		echo "warning: ${LABEL[$t]}: ${TOTAL_NON2XX[$t]} non-2xx/3xx responses, ${TOTAL_SOCKERR[$t]} socket errors over all rounds"
	fi
done
if [[ -n $REDIS_NOTE ]]; then echo "$REDIS_NOTE"; fi
if ((${#PROFILES[@]})); then
	echo
	echo "CPU profiles (${PROFILE_SECONDS}s each, taken after the measured rounds): ${PROFILES[*]}"
	echo "  e.g. go tool pprof -top bin/gatehouse ${PROFILES[0]}"
fi
echo
echo "total time ${ELAPSED}s"
