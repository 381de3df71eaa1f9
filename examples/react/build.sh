#!/usr/bin/env bash
# Installs the example's dependencies from its lockfile and builds it with Vite into dist/ (the browser tests serve
# that folder). @tollgate/react and @tollgate/sdk are compiled from this repository's sources (see vite.config.js).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
