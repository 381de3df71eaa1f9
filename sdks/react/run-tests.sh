#!/usr/bin/env bash
# Installs @tollgate/react's dev dependencies from the lockfile, builds it against the TypeScript SDK's build (it takes
# its types and transport from that package), and runs its unit tests with node --test: pure logic, a server render
# without a window, and the components in jsdom against a fake Tollgate behind fetch. The browser tests against a real
# server drive examples/react (tests/Tollgate.Pages.Tests/ReactExampleTests.cs). The unit tests run on React 19, then on
# React 18.
set -euo pipefail
cd "$(dirname "$0")"
sdk=../typescript
# Scripts off: with them, `npm ci` ran the SDK's `prepare` through the `file:` link (its whole build, two tsc runs, when
# test.sh's step had just built it) and this package's own (a tsc run `npm run build` repeats), and the React 18 install
# ran the SDK's once more: about 18 of this suite's 44 CPU seconds (2026-11-27, stop 63). `prepare` itself still runs
# where a user's install runs it: tests/check-sdk-installs.sh installs this package as docs/sdk-react.md says.
# --prefer-offline: the lockfile pins every version, so npm's cache answers without asking the registry again.
npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error
# The SDK's build, as its `prepare` makes it, unless dist/ is newer than everything it is built from (test.sh's step
# runs the SDK's own suite, which builds it, just before).
stamp=$sdk/dist/cjs/package.json # build.mjs writes it last, after both tsc runs
if [ ! -f "$stamp" ] || [ -n "$(find "$sdk/src" "$sdk/scripts" "$sdk"/tsconfig*.json "$sdk/package.json" "$sdk/package-lock.json" \
  -newer "$stamp" -print -quit)" ]; then
  node "$sdk/scripts/prepare.mjs"
fi
npm run build
# Every wait is bounded: each test file and test at most a minute.
node --test --test-concurrency=1 --test-timeout=60000 test/*.test.js
# React 18 is a supported peer as well: the same tests once more on it (not saved to package.json or the lockfile).
npm install --no-save --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error react@18.3.1 react-dom@18.3.1
node --test --test-concurrency=1 --test-timeout=60000 test/*.test.js
