#!/usr/bin/env bash
# Runs every test project on both stores (SQLite and a real PostgreSQL) and exits non-zero on any failure.
# On a fresh machine it first installs what is missing through apt: the PostgreSQL server, and Chromium's headless shell
# (with a font) for the page tests, which drive it through Playwright; python3-aiosmtpd, the SMTP server the e-mail tests send to;
# pgbouncer, the pooler PgBouncerTests run through; poppler-utils, whose pdftotext the PDF tests read invoices back with;
# Node and npm, and the Python packages the SDK suites and the install check use.
set -euo pipefail
cd "$(dirname "$0")"
# Every .NET process this run starts is short-lived (the build, the test hosts, the SDK suites' servers, the CLI runs), and
# tiered PGO's instrumented tiers are compiled for code that then hardly runs: without them the build took about 20 % less
# CPU and the server tests 18 % less (docs/testing.md). A server started as the README says keeps the runtime's default.
export DOTNET_TieredPGO=0
# Idle thread-pool workers block at once instead of spinning, as the server's own runtimeconfig has them: the test
# processes host their servers in-process and share two cores with the cluster and the other stream, where the spin
# was about 4 % of the server tests' CPU (docs/testing.md).
export DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0
# The page tests' full-page screenshots (artifacts/screenshots/) are for looking at, and cost 13 % of their CPU: a run
# takes them only when asked, with TOLLGATE_SCREENSHOTS=1 (`dotnet test tests/Tollgate.Pages.Tests` takes them unasked).
export TOLLGATE_SCREENSHOTS=${TOLLGATE_SCREENSHOTS:-0}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then missing+=(postgresql); fi
# The headless shell, not the full chromium: the page tests' browser CPU fell by about 60 % (docs/testing.md).
if [ -z "${TOLLGATE_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium-headless-shell ]; then missing+=(chromium-headless-shell fonts-dejavu-core); fi
if ! command -v promtool >/dev/null; then missing+=(prometheus); fi # promtool checks the /metrics exposition
if ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then missing+=(python3-aiosmtpd); fi # the e-mail tests' real SMTP server
if ! command -v jq >/dev/null; then missing+=(jq); fi # the doc tests run the docs' curl | jq examples as written
if [ ! -x /usr/sbin/pgbouncer ]; then missing+=(pgbouncer); fi # PgBouncerTests run two nodes through it in transaction mode
if ! command -v pdftotext >/dev/null; then missing+=(poppler-utils); fi # the PDF tests read invoices back with pdftotext
# Node for the TypeScript and React suites, the Python suite's packages and those the install check's offline wheel
# needs: installed here, before the two workers start, since two scripts installing their own at once meet on apt's lock.
if ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
for pkg in python3-pytest python3-pytest-timeout python3-httpx python3-fastapi python3-mypy python3-pip python3-venv python3-setuptools; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]} through apt"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

# On any exit (an interrupt included) the background streams' process trees stop and the cluster goes, so nothing is left
# running or holding a port.
server_pid="" worker1_pid="" worker2_pid="" pg_dir="" logs="" cgroup_base="" compiler_shared=""
kill_tree() { local child; for child in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$child"; done; kill "$1" 2>/dev/null || true; }
cleanup() {
  for pid in $server_pid $worker1_pid $worker2_pid; do kill_tree "$pid"; done
  if [ -n "$pg_dir" ]; then run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"; fi
  if [ -n "$logs" ]; then rm -rf "$logs"; fi
  if [ -n "$compiler_shared" ]; then dotnet build-server shutdown --vbcscompiler >/dev/null 2>&1 || true; fi
  if [ -n "${cgroup_base:-}" ]; then for group in "$cgroup_base"/tollgate-test.$$.*; do rmdir "$group" 2>/dev/null || true; done; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One throwaway PostgreSQL cluster for the whole run; each test makes its own database in it. No autovacuum: with over a
# thousand short-lived databases its launcher keeps forking workers into them (one was seen taking half a core).
if [ -z "${TOLLGATE_TEST_POSTGRES:-}" ]; then
  pg_dir=$(mktemp -d /tmp/tollgate-test-pg.XXXXXX)
  run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$pg_dir"; fi
  run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  # A start can fail (a port taken between the probe and the bind, a slow disk): show why, then try another port.
  port=""
  for attempt in 1 2 3; do
    candidate=""
    for p in $(shuf -i 55432-55932 -n 200); do
      if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then candidate=$p; break; fi
    done
    if run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -t 60 start \
      -o "-p $candidate -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500 -c autovacuum=off" >/dev/null; then
      port=$candidate; break
    fi
    echo "test.sh: PostgreSQL did not start on port $candidate (attempt $attempt); its log:" >&2
    cat "$pg_dir/log" >&2 || true
    run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  done
  if [ -z "$port" ]; then echo "test.sh: PostgreSQL could not be started" >&2; exit 1; fi
  export TOLLGATE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=false"
  echo "test.sh: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on port $port"
fi

# Minutes and seconds, for the times printed at the end.
duration() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
# CPU seconds, which on a shared, loaded machine say what a stream costs where its wall time mostly says what else ran.
# Where this shell may make cgroups (root, with cgroup v1's cpuacct or cgroup v2), each step runs in one of its own, which
# counts every process it started, the orphans too (a test host that vstest stops without waiting for it, a browser).
# Elsewhere a step counts what bash's `times` reports: the children it waited for, and theirs, so a lower bound.
cgroup_base=""
if [ -f /sys/fs/cgroup/cpuacct/cpuacct.usage ]; then
  cgroup_base=/sys/fs/cgroup/cpuacct$(awk -F: '$2 ~ /(^|,)cpuacct(,|$)/ { print $3 }' /proc/self/cgroup)
elif [ -f /sys/fs/cgroup/unified/cgroup.procs ] || [ -f /sys/fs/cgroup/cgroup.procs ]; then
  cgroup_base=$([ -d /sys/fs/cgroup/unified ] && echo /sys/fs/cgroup/unified || echo /sys/fs/cgroup)$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
fi
cgroup_base=${cgroup_base%/}
if [ -n "$cgroup_base" ] && ! [ -w "$cgroup_base" ]; then cgroup_base=""; fi
# Runs "$@" in a new cgroup named for $1 (then shifted off), and appends "$1 seconds" to $logs/cpu.
counted() {
  local name=$1 group="" status=0; shift
  if [ -n "$cgroup_base" ] && group=$(mktemp -d "$cgroup_base/tollgate-test.$$.XXXXXX" 2>/dev/null); then
    (echo "$BASHPID" >"$group/cgroup.procs" && "$@") || status=$?
    echo "$name $(cgroup_cpu "$group")" >>"$logs/cpu"
    rmdir "$group" 2>/dev/null || true # a process still in it (an orphan winding down) leaves it to the cleanup
  else
    (status=0; "$@" || status=$?; times >"$logs/times.$BASHPID"
      echo "$name $(awk 'END { t = 0; for (i = 1; i <= NF; i++) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] } printf "%d", t }' \
        "$logs/times.$BASHPID") (lower bound)" >>"$logs/cpu"
      exit "$status") || status=$?
  fi
  return "$status"
}
cgroup_cpu() {
  if [ -f "$1/cpuacct.usage" ]; then awk '{ printf "%.1f", $1 / 1e9 }' "$1/cpuacct.usage"
  else awk '$1 == "usage_usec" { printf "%.1f", $2 / 1e6 }' "$1/cpu.stat"; fi
}
# The cluster's CPU: the postmaster daemonizes, so it is counted apart, from its own and its reaped backends' times.
postgres_cpu() {
  local pid
  pid=$(head -n 1 "$pg_dir/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%d", ($12 + $13 + $14 + $15) / hz }' "/proc/$pid/stat" 2>/dev/null || echo 0
}

tests/webhook-verifiers/install.sh
# One compiler process for every build in the run (this one, and the package and app that check-sdk-installs.sh builds),
# where an environment that turns shared compilation off starts a fresh one per project: on a clean clone the build took
# 140 CPU seconds and 78 s instead of 230 and 2m15s (docs/testing.md). The cleanup stops it, so nothing stays running.
export UseSharedCompilation=true
compiler_shared=1
dotnet build Tollgate.slnx -nologo -v quiet
if [ $# -gt 0 ]; then
  # Arguments narrow the .NET run (e.g. --filter); the OpenAPI and SDK suites then have nothing to narrow, so they are left out.
  dotnet test Tollgate.slnx --no-build -nologo --logger "console;verbosity=minimal" "$@"
  echo "test.sh: ran the .NET tests selected by $*; the OpenAPI and SDK suites run only without arguments"
  echo "test.sh: the run took $(duration "$SECONDS")"
  exit 0
fi
# The server tests (the longest, so they start first) run beside two workers that take the other steps from one queue,
# longest first, each taking the next when its last one ends: the other .NET test projects, the OpenAPI contract (redocly
# lint, and a typed client generated from it compiles), the SDK suites and the install check. A fixed split into two
# streams left one running alone for the run's last minute or more. All output is printed when everything has ended.
logs=$(mktemp -d /tmp/tollgate-test-logs.XXXXXX)
streams_started=$(date +%s)
# TOLLGATE_TEST_RESULTS=<folder> keeps a trx log per project there, with each test's duration (see docs/testing.md).
trx=()
if [ -n "${TOLLGATE_TEST_RESULTS:-}" ]; then trx=(--logger trx --results-directory "$(realpath -m "$TOLLGATE_TEST_RESULTS")"); fi
# A test still running after 15 minutes is taken for hung: the run stops it and names it (the blame collector's Sequence
# file) instead of running into CI's limit; no dump, which would cost the minutes and the disk.
dotnet_test() {
  dotnet test "$1" --no-build -nologo --logger "console;verbosity=minimal" --blame-hang-timeout 15m --blame-hang-dump-type none "${trx[@]}"
}
counted tests/Tollgate.Server.Tests dotnet_test tests/Tollgate.Server.Tests >"$logs/server" 2>&1 &
server_pid=$!
# A step is one or more scripts or test projects run in order: the React SDK's tests link the TypeScript SDK's build.
steps=("sdks/typescript/run-tests.sh sdks/react/run-tests.sh" tests/Tollgate.Pages.Tests sdks/python/run-tests.sh
  tests/check-sdk-installs.sh tests/Tollgate.Client.Tests tests/openapi/run.sh tests/Tollgate.Storage.Tests tests/Tollgate.Core.Tests)
for project in tests/*.Tests; do # a test project added later runs too, last
  if [ "$project" != tests/Tollgate.Server.Tests ] && ! [[ " ${steps[*]} " == *" $project "* ]]; then steps+=("$project"); fi
done
run_step() {
  local part status=0 started=$SECONDS
  for part in $1; do
    if [[ $part == *.sh ]]; then counted "$part" "$part" || status=1; else counted "$part" dotnet_test "$part" || status=1; fi
  done
  echo "$1 $(duration $((SECONDS - started)))" >>"$logs/walls"
  return "$status"
}
echo 0 >"$logs/next"
take_step() { flock "$logs/next" bash -c 'read -r n <"$1"; echo $((n + 1)) >"$1"; echo "$n"' _ "$logs/next"; }
worker() {
  local status=0 i
  while i=$(take_step) && [ "$i" -lt "${#steps[@]}" ]; do run_step "${steps[$i]}" >"$logs/step.$i" 2>&1 || status=1; done
  date +%s >"$logs/worker.$1"
  return "$status"
}
worker 1 & worker1_pid=$!
worker 2 & worker2_pid=$!
# Waiting (not a foreground command) lets an interrupt run the cleanup at once.
server=0 worker1=0 worker2=0
wait "$server_pid" || server=$?
wait "$worker1_pid" || worker1=$?
wait "$worker2_pid" || worker2=$?
server_pid="" worker1_pid="" worker2_pid=""
step_logs=()
for i in "${!steps[@]}"; do step_logs+=("$logs/step.$i"); done
cat "$logs/server" "${step_logs[@]}"
# A log read only by its tail (as CI shows it) still names every failed test.
failed=$(grep -h -E '^ *Failed [A-Za-z]|^not ok |^FAILED ' "$logs/server" "${step_logs[@]}" || true)
if [ -n "$failed" ]; then echo "test.sh: failed:"; echo "$failed" | head -n 60; fi
# A failed run shows the deadlocks PostgreSQL broke (which statements, in which order): the cluster and its log go with
# the cleanup, and a scale-out test that counts one says only how many.
if [ -n "$failed" ] && [ -n "$pg_dir" ] && grep -q "deadlock detected" "$pg_dir/log" 2>/dev/null; then
  echo "test.sh: PostgreSQL's deadlock reports (its log):"; grep -A 12 "deadlock detected" "$pg_dir/log" | head -n 120 || true
fi
# The server tests' time runs to its log's last write, which is its summary: the waits above end in order, not as they do.
echo "test.sh: times: server tests $(duration $(($(stat -c %Y "$logs/server") - streams_started))), the two workers" \
  "$(duration $(($(cat "$logs/worker.1") - streams_started))) and $(duration $(($(cat "$logs/worker.2") - streams_started)));" \
  "the whole run $(duration "$SECONDS")"
echo "test.sh: wall time by step: $(awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $0 }' "$logs/walls")"
# CPU seconds per step and kind of step, and the PostgreSQL cluster's, which every step may use.
sum_cpu() { awk -v only="$1" '$1 ~ only { t += $2 } END { printf "%d", t }' "$logs/cpu"; }
echo "test.sh: CPU seconds by step: $(awk '{ printf "%s%s %s%s", (NR > 1 ? ", " : ""), $1, $2, ($3 == "" ? "" : " " $3 " " $4) }' "$logs/cpu")"
server_cpu=$(sum_cpu '^tests/Tollgate\\.Server\\.Tests$') pg_cpu=$(postgres_cpu)
others_cpu=$(($(sum_cpu '\\.Tests$') - server_cpu)) suites_cpu=$(sum_cpu '\\.sh$')
echo "test.sh: CPU seconds: server tests $server_cpu, other .NET tests $others_cpu, OpenAPI and SDK suites $suites_cpu," \
  "PostgreSQL $pg_cpu; all of them $((server_cpu + others_cpu + suites_cpu + pg_cpu))"
echo "test.sh: exit codes: server tests $server, the two workers $worker1 and $worker2"
[ "$server" -eq 0 ] && [ "$worker1" -eq 0 ] && [ "$worker2" -eq 0 ]
