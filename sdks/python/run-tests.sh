#!/usr/bin/env bash
# Runs the Python SDK's tests (the SDK, examples/python and the code in docs/sdk-python.md) with Debian's python3 and
# Debian's pytest, pytest-timeout, httpx, fastapi and mypy, against real Tollgate servers that the tests start
# (tests/start-server.sh): on SQLite, and on PostgreSQL too when TOLLGATE_TEST_POSTGRES is set (test.sh sets it). Extra
# arguments go to pytest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian's interpreter by full path: the first python3 on PATH may be a pyenv shim that cannot import Debian's packages.
python=/usr/bin/python3
missing=()
for pkg in python3-pytest python3-pytest-timeout python3-httpx python3-fastapi python3-mypy; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ! -x "$python" ]; then missing+=(python3); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "run-tests.sh: installing ${missing[*]} through apt"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The package a user installs (a wheel built offline, installed into a fresh venv) is checked by
# tests/check-sdk-installs.sh, which runs docs/sdk.md's install line as written.

cd "$here"
status=0
# Every test is bounded (a session's first test includes starting its server): a hang fails with the test's stack
# instead of running into CI's limit.
PYTHONDONTWRITEBYTECODE=1 "$python" -m pytest -q -p no:cacheprovider --timeout=300 tests "$@" || status=$?
# pytest answers 5 when it collected no tests: that is a broken run, not a green one.
if [ "$status" -eq 5 ]; then echo "run-tests.sh: pytest collected no tests" >&2; exit 1; fi
exit "$status"
