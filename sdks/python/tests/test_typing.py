"""The package is typed throughout (PEP 561): mypy in strict mode finds nothing in it or in the example app."""

from __future__ import annotations

import subprocess
import sys

from conftest import HERE, ROOT


def test_the_package_and_the_example_pass_mypy_strict() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(HERE.parent / "pyproject.toml"),
                             str(HERE.parent / "tollgate"), str(ROOT / "examples" / "python" / "app.py")],
                            capture_output=True, text=True, cwd=HERE.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (HERE.parent / "tollgate" / "py.typed").exists()
