"""`reactive-kernel run`: a notebook as a program, every cell once in dependency order on a real kernel."""

from __future__ import annotations

import os

from nbclient.exceptions import DeadKernelError

from reactive_kernel import KERNELSPEC
from reactive_kernel.cli import terminal
from reactive_kernel.headless import notebook_io as files
from reactive_kernel.headless.executor import QUIET_KERNEL, CellExecutionError, DependencyOrderPreprocessor


def run(path: str, args: list[str]) -> int:
    """Run `path` with `args` as sys.argv[1:]; the exit status is 0, or 1 at the first failing cell."""
    nb = files.read_notebook(path)
    runner = DependencyOrderPreprocessor(
        on_output=terminal.echo,  # the kernel's own notes name cells as `cell #3 (load)` already
        kernel_name=KERNELSPEC["name"],
        order="dependency",
        timeout=None,
        extra_arguments=QUIET_KERNEL,
        preamble=script_preamble(path, args),
    )
    # Like `python script.py`, the notebook runs in the caller's working directory.
    try:
        runner.preprocess(nb, {"metadata": {"path": os.getcwd()}})
    except CellExecutionError:
        index = runner.failed_cell
        assert index is not None
        code = terminal.system_exit_code(nb.cells, index)
        if code is not None:
            return code
        terminal.report_failure(nb.cells, index)
        return 1
    except DeadKernelError:
        if runner.failed_cell is None:
            raise
        terminal.report_dead_kernel(nb.cells, runner.failed_cell)
        return 1
    return 0


def script_preamble(path: str, args: list[str]) -> str:
    """sys.argv and __file__ as a script would see them (marimo's mo.notebook_dir() reads __file__);
    sys.exit() without IPython's advice to use exit()."""
    return (
        f"__import__('sys').argv = {[path, *args]!r}\n"
        f"__file__ = {os.path.abspath(path)!r}\n"
        "__import__('warnings').filterwarnings('ignore', 'To exit: use', UserWarning)\n"
    )
