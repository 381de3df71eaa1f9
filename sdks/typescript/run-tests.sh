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
# Scripts off: `prepare` would build dist/ here, and then again below when examples/typescript installs this folder as
# its `file:` dependency, each a full tsc run (about 4 CPU seconds). dist/ is built once, by the line after; the
# README test and tests/check-sdk-installs.sh still run `prepare` itself, in clean copies.
# --prefer-offline: the lockfile pins every version, so npm's cache answers without asking the registry again (about
# 1.5 of an install's 7.7 CPU seconds here).
npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error
node scripts/build.mjs                # dist/ (ESM) and dist/cjs/ (CommonJS)
# The compiler straight from node_modules: `npx` first loads npm, about 0.8 CPU seconds a call.
tsc=(node node_modules/typescript/bin/tsc)
"${tsc[@]}" -p test/types/tsconfig.json   # an app's use of the declarations: the types users see must compile
"${tsc[@]}" -p test/types-exact/tsconfig.json   # the same, and the quick start, under exactOptionalPropertyTypes
# The same under moduleResolution node10, through a node_modules link as an install makes (subpaths need typesVersions).
mkdir -p test/types-node10/node_modules/@tollgate && ln -sfn ../../../.. test/types-node10/node_modules/@tollgate/sdk
"${tsc[@]}" -p test/types-node10/tsconfig.json
# A CommonJS TypeScript project (module node16): its imports are require()s, answered by the "require" condition.
mkdir -p test/types-cjs/node_modules/@tollgate && ln -sfn ../../../.. test/types-cjs/node_modules/@tollgate/sdk
"${tsc[@]}" -p test/types-cjs/tsconfig.json
(cd "$root/examples/typescript" && npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error) # links the SDK built above

# Every wait is bounded, so a hang fails with a message instead of running into CI's limit. Node's runner applies
# --test-timeout to each test and to each file as a whole (it kills a file whose event loop is starved); Node before
# 20.11 lacks the flag, so there the whole run is bounded by coreutils' timeout instead.
per_file_ms=300000
if node --help | grep -q -- --test-timeout; then
  node_test=(node --test --test-concurrency=1 "--test-timeout=$per_file_ms")
else
  node_test=(timeout --kill-after=30 1800 node --test --test-concurrency=1)
fi

# examples/typescript's README test (a clean copy's `npm install`, about 20 CPU seconds) checks the install, which no
# store changes, so it runs in the first pass only; the example's own tests run on both.
readme_test="$root/examples/typescript/test/readme.test.js"
run_suite() {
  local files=() file
  for file in test/*.test.js "$root"/examples/typescript/test/*.test.js; do
    if [ "${1:-}" != --postgres ] || [ "$file" != "$readme_test" ]; then files+=("$file"); fi
  done
  eval "$("$root/tests/start-server.sh" "$@" --Tollgate:Webhooks:AllowPrivateTargets=true)"
  local status=0
  "${node_test[@]}" "${files[@]}" || status=$?
  if [ "$status" -ne 0 ]; then "$root/tests/stop-server.sh" --log; else "$root/tests/stop-server.sh"; fi
  return "$status"
}

echo "sdks/typescript: tests on SQLite"
run_suite
if [ -n "${TOLLGATE_TEST_POSTGRES:-}" ]; then
  echo "sdks/typescript: tests on PostgreSQL"
  run_suite --postgres
fi
