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
# pip, venv and setuptools build and install the wheel offline; the rest are the tests' own.
for pkg in python3-pytest python3-pytest-timeout python3-httpx python3-fastapi python3-mypy python3-pip python3-venv python3-setuptools; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ! -x "$python" ]; then missing+=(python3); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "run-tests.sh: installing ${missing[*]} through apt"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The package a user installs: a wheel built offline (PyPI is not needed: Debian's setuptools, no build isolation) from a
# copy of the sources, so the build leaves nothing in the tree, then installed without an index into a fresh venv that
# takes httpx and FastAPI from Debian. The import must come from the venv, not from this folder.
scratch=$(mktemp -d /tmp/tollgate-python-wheel.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/src"
cp -r "$here/pyproject.toml" "$here/README.md" "$here/tollgate" "$scratch/src/"
"$python" -m pip wheel -q --no-deps --no-build-isolation --no-index -w "$scratch/dist" "$scratch/src"
wheel=$(ls "$scratch"/dist/tollgate-*-py3-none-any.whl)
"$python" -m venv --system-site-packages "$scratch/venv"
# Not "$wheel[fastapi]": Debian 12's fastapi 0.92 declares starlette<0.26 beside its own starlette 0.26.1, which pip's
# resolver refuses; the FastAPI module is still imported below, from Debian's packages.
"$scratch/venv/bin/pip" install -q --no-index "$wheel"
(cd "$scratch" && "$scratch/venv/bin/python" - "$scratch/venv" <<'PY'
import importlib.resources, pathlib, sys
import tollgate, tollgate.fastapi
assert pathlib.Path(tollgate.__file__).is_relative_to(sys.argv[1]), f"tollgate imported from {tollgate.__file__}"
assert importlib.resources.files("tollgate").joinpath("py.typed").is_file(), "py.typed is missing from the wheel"
assert tollgate.Tollgate and tollgate.AsyncTollgate and tollgate.fastapi.require_quota
PY
)
echo "run-tests.sh: $(basename "$wheel") builds offline and installs into a venv"

cd "$here"
status=0
# Every test is bounded (a session's first test includes starting its server): a hang fails with the test's stack
# instead of running into CI's limit.
PYTHONDONTWRITEBYTECODE=1 "$python" -m pytest -q -p no:cacheprovider --timeout=300 tests "$@" || status=$?
# pytest answers 5 when it collected no tests: that is a broken run, not a green one.
if [ "$status" -eq 5 ]; then echo "run-tests.sh: pytest collected no tests" >&2; exit 1; fi
exit "$status"
