#!/usr/bin/env bash
# Installs @tollgate/react's dev dependencies from the lockfile (which builds the TypeScript SDK it takes its types and
# transport from, through that package's prepare script), builds it, and runs its unit tests with node --test: pure
# logic, a server render without a window, and the components in jsdom against a fake Tollgate behind fetch. The browser
# tests against a real server drive examples/react (tests/Tollgate.Pages.Tests/ReactExampleTests.cs). The unit tests run
# on React 19, then on React 18.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npm run build
# Every wait is bounded: each test file and test at most a minute.
node --test --test-concurrency=1 --test-timeout=60000 test/*.test.js
# React 18 is a supported peer as well: the same tests once more on it (not saved to package.json or the lockfile).
npm install --no-save --no-audit --no-fund --loglevel=error react@18.3.1 react-dom@18.3.1
node --test --test-concurrency=1 --test-timeout=60000 test/*.test.js
