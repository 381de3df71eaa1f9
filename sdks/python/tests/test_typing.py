"""The package is typed throughout (PEP 561): mypy in strict mode finds nothing in it or in the example app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import HERE, ROOT


# The cache lives outside the clone, as npm's and NuGet's do: checking FastAPI's and pydantic's sources from nothing cost
# about 19 of this suite's 75 CPU seconds in every clean clone. mypy checks each cached module against its source, so a
# cache from another clone or version only costs a recheck. mypy reads MYPY_CACHE_DIR itself; a caller's value wins.
ENVIRONMENT = {"MYPY_CACHE_DIR": str(Path.home() / ".cache" / "tollgate" / "mypy"), **os.environ}


def test_the_package_and_the_example_pass_mypy_strict() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(HERE.parent / "pyproject.toml"),
                             str(HERE.parent / "tollgate"), str(ROOT / "examples" / "python" / "app.py")],
                            capture_output=True, text=True, cwd=HERE.parent, env=ENVIRONMENT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (HERE.parent / "tollgate" / "py.typed").exists()
