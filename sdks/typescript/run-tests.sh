#!/usr/bin/env bash
# Installs the TypeScript SDK's dev dependencies from the lockfile, builds it, and runs its tests (node --test) against a
# real Tollgate server: on SQLite, then on PostgreSQL when TOLLGATE_TEST_POSTGRES points at a cluster (test.sh sets it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
npx tsc -p tsconfig.json

run_suite() {
  eval "$("$root/tests/start-server.sh" "$@" --Tollgate:Webhooks:AllowPrivateTargets=true)"
  local status=0
  node --test --test-concurrency=1 test/ "$root/examples/typescript/test/" || status=$?
  if [ "$status" -ne 0 ]; then "$root/tests/stop-server.sh" --log; else "$root/tests/stop-server.sh"; fi
  return "$status"
}

echo "sdks/typescript: tests on SQLite"
run_suite
if [ -n "${TOLLGATE_TEST_POSTGRES:-}" ]; then
  echo "sdks/typescript: tests on PostgreSQL"
  run_suite --postgres
fi
