"""The installed package brings its kernel spec and its prebuilt JupyterLab extension, enabled and OK."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from reactive_kernel import KERNELSPEC

EXTENSION = "reactive-kernel-labextension"
KERNEL = "reactive-python"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def jupyter(*args: str) -> str:
    exe = Path(sys.executable).with_name("jupyter")
    result = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)
    output = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode == 0, output
    return output


def test_labextension_enabled_and_ok():
    output = jupyter("labextension", "list")
    lines = [line for line in output.splitlines() if EXTENSION in line]
    assert lines, f"{EXTENSION} is not installed:\n{output}"
    assert len(lines) == 1, f"{EXTENSION} is installed more than once:\n{output}"
    words = lines[0].split()
    assert "enabled" in words, output
    assert "OK" in words, output


def test_kernelspec_listed():
    output = jupyter("kernelspec", "list")
    assert any(line.split()[:1] == [KERNEL] for line in output.splitlines()), output


def test_the_kernelspec_constant_matches_the_installed_kernel_json():
    spec = json.loads(
        (Path(__file__).parents[1] / "share/jupyter/kernels/reactive-python/kernel.json").read_text()
    )
    assert KERNELSPEC == {key: spec[key] for key in ("display_name", "language")} | {"name": KERNEL}
