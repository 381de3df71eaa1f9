#!/usr/bin/env bash
# Checks Tollgate's OpenAPI contract as a client generator sees it: starts a real server (tests/start-server.sh), fetches
# /openapi/v1.json, lints it with @redocly/cli's recommended rules (any error or warning fails), generates TypeScript
# types with openapi-typescript (its default options) and compiles them with tsc together with check.ts, which fails on
# any response body typed unknown or never, and bodies.ts, every request body the docs' curl examples send, typed as its
# operation's. Node and npm come from apt when missing; the npm packages from package-lock.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v npm >/dev/null 2>&1; then
  echo "openapi/run.sh: installing nodejs and npm through apt"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

cd "$here"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
# --prefer-offline: the lockfile pins every version, so npm's cache answers without asking the registry again.
npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null
# The tools straight from node_modules/.bin: `npx` first loads npm, about 0.8 CPU seconds a call (stop 63).
bin=$here/node_modules/.bin

# With the test clock on, so its two operations are linted too and the docs' walks that move it type-check.
eval "$("$root/tests/start-server.sh" --Tollgate:TestClock:Enabled=true)"
trap '"$root/tests/stop-server.sh"' EXIT
rm -rf generated && mkdir generated
curl -fsS "$TOLLGATE_URL/openapi/v1.json" -o generated/openapi.json

echo "openapi/run.sh: redocly lint (recommended, warnings are errors)"
"$bin/redocly" lint --config redocly.yaml --format stylish generated/openapi.json

echo "openapi/run.sh: openapi-typescript, then tsc"
"$bin/openapi-typescript" generated/openapi.json -o generated/tollgate.d.ts >/dev/null
cp check.ts generated/check.ts
node bodies.mjs
"$bin/tsc" -p tsconfig.json
echo "openapi/run.sh: $(grep -c '"operationId"' generated/openapi.json) operations; lint and typed client passed"
