"""The JupyterLab extension's side: its unit tests pass, and its protocol types match the kernel's."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from reactive_kernel.core.scheduler import STATUSES
from reactive_kernel.kernel import protocol_in, protocol_out
from tests.test_protocol import DOC, table

LAB = Path(__file__).parent.parent / "labextension"
PROTOCOL_TS = (LAB / "src" / "protocol.ts").read_text()


def ts_list(name: str) -> list[str]:
    body = re.search(rf"export const {name} = \[(.*?)\]", PROTOCOL_TS, re.S)
    assert body, f"{name} not found in protocol.ts"
    return re.findall(r"'(\w+)'", body.group(1))


def ts_const(name: str) -> str:
    return re.search(rf"export const {name} = '?([\w]+)'?;", PROTOCOL_TS).group(1)


def test_typescript_protocol_matches_the_kernel():
    assert ts_list("STATUSES") == list(STATUSES)
    assert ts_list("KERNEL_MESSAGE_TYPES") == table("## Kernel -> frontend")
    assert ts_list("FRONTEND_MESSAGE_TYPES") == table("## Frontend -> kernel")
    assert ts_const("PROTOCOL_VERSION") == str(protocol_out.PROTOCOL_VERSION)
    assert ts_const("COMM_TARGET") == protocol_out.COMM_TARGET
    assert ts_const("SCHEDULED_KEY") == protocol_in.SCHEDULED_KEY


def test_typescript_cell_state_has_the_documented_fields():
    body = re.search(r"export interface ICellState \{(.*?)\}", PROTOCOL_TS, re.S).group(1)
    assert re.findall(r"^\s*(\w+):", body, re.M) == table("`CellState` is:")


def test_typescript_delta_cell_has_the_documented_fields():
    body = re.search(r"export interface IDeltaCell \{(.*?)\}", PROTOCOL_TS, re.S).group(1)
    row = next(line for line in DOC.splitlines() if line.startswith("| `delta` |"))
    documented = re.search(r"`cells: \[\{(.*?)\}\]`", row).group(1)
    assert re.findall(r"^\s*(\w+)\??:", body, re.M) == re.findall(r"(\w+)\??", documented)


def test_typescript_unit_tests_pass():
    jlpm = shutil.which("jlpm") or str(Path(sys.executable).with_name("jlpm"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([jlpm, "test"], cwd=LAB, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"^# fail 0$", result.stdout, re.M) and re.search(r"^# pass [1-9]", result.stdout, re.M)
