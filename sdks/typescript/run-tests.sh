#!/usr/bin/env bash
# Installs the TypeScript SDK's dev dependencies from the lockfile, builds it, and runs its tests (node --test) against a
# real Tollgate server: on SQLite, then on PostgreSQL when TOLLGATE_TEST_POSTGRES points at a cluster (test.sh sets it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"
if ! command -v npm >/dev/null; then
  echo "sdks/typescript: installing nodejs and npm through apt"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
npm ci --no-audit --no-fund --loglevel=error
npx tsc -p tsconfig.json
npx tsc -p test/types/tsconfig.json   # an app's use of the declarations: the types users see must compile
(cd "$root/examples/typescript" && npm ci --no-audit --no-fund --loglevel=error)

run_suite() {
  eval "$("$root/tests/start-server.sh" "$@" --Tollgate:Webhooks:AllowPrivateTargets=true)"
  local status=0
  node --test --test-concurrency=1 test/*.test.js "$root"/examples/typescript/test/*.test.js || status=$?
  if [ "$status" -ne 0 ]; then "$root/tests/stop-server.sh" --log; else "$root/tests/stop-server.sh"; fi
  return "$status"
}

echo "sdks/typescript: tests on SQLite"
run_suite
if [ -n "${TOLLGATE_TEST_POSTGRES:-}" ]; then
  echo "sdks/typescript: tests on PostgreSQL"
  run_suite --postgres
fi
