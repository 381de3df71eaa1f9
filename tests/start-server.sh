#!/usr/bin/env bash
# Starts a real Tollgate server for the Python and TypeScript SDK tests and prints shell exports for it:
#   eval "$(tests/start-server.sh)"          # SQLite in a temp folder
#   eval "$(tests/start-server.sh --postgres)"  # a fresh database in $TOLLGATE_TEST_POSTGRES's cluster
# Exports TOLLGATE_URL, TOLLGATE_ADMIN_KEY, TOLLGATE_SERVER_PID and TOLLGATE_SERVER_DIR; stop it with
# tests/stop-server.sh. Extra arguments after the flags go to the server (for example --Tollgate:TestClock:Enabled=true).
# It uses the build test.sh made (Debug); if there is none it builds the server first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dll="$root/src/Tollgate.Server/bin/Debug/net10.0/Tollgate.Server.dll"
[ -f "$dll" ] || dotnet build "$root/src/Tollgate.Server" -nologo -v quiet >&2

provider=sqlite
if [ "${1:-}" = "--postgres" ]; then provider=postgres; shift; fi

dir=$(mktemp -d /tmp/tollgate-sdk-server.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)))
admin_key="tg_test_admin_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

if [ "$provider" = postgres ]; then
  : "${TOLLGATE_TEST_POSTGRES:?TOLLGATE_TEST_POSTGRES must point at a PostgreSQL cluster (test.sh starts one)}"
  db="tollgate_sdk_$(basename "$dir" | tr -cd 'a-zA-Z0-9' | tr 'A-Z' 'a-z')"
  host=$(echo "$TOLLGATE_TEST_POSTGRES" | sed -nE 's/.*Host=([^;]*).*/\1/p')
  pgport=$(echo "$TOLLGATE_TEST_POSTGRES" | sed -nE 's/.*Port=([^;]*).*/\1/p')
  psql -h "$host" -p "$pgport" -U postgres -d postgres -qc "CREATE DATABASE $db" >&2
  connection="Host=$host;Port=$pgport;Username=postgres;Database=$db"
  db_args=(--Tollgate:Database:Provider=postgres "--Tollgate:Database:ConnectionString=$connection")
else
  db_args=("--Tollgate:Database:ConnectionString=$dir/tollgate.db")
fi

# No call counting: a test server lives for one suite's minute or two, where promoting its hot methods to tier 1 cost more
# JIT than the faster code saved (the TypeScript SDK's tests, one SQLite pass: the server took 8.4-8.8 CPU seconds
# instead of 10.8-12.2; 2026-11-27, stop 63). Framework code keeps its precompiled (ReadyToRun) code, ours its tier 0.
export DOTNET_TC_CallCounting=${DOTNET_TC_CallCounting:-0}
(cd "$dir" && TOLLGATE_ADMIN_KEY="$admin_key" exec dotnet "$dll" --urls "http://127.0.0.1:$port" "${db_args[@]}" "$@" \
  >"$dir/server.log" 2>&1) &
pid=$!
for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "start-server.sh: the server exited; its log:" >&2; cat "$dir/server.log" >&2; exit 1; fi
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { echo "start-server.sh: no answer on $port; log:" >&2; cat "$dir/server.log" >&2; exit 1; }

echo "export TOLLGATE_URL=http://127.0.0.1:$port TOLLGATE_ADMIN_KEY=$admin_key TOLLGATE_SERVER_PID=$pid TOLLGATE_SERVER_DIR=$dir"
