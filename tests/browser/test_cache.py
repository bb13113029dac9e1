"""Cached cells in a real JupyterLab (docs/frontend.md, docs/protocol.md): the cache commands write cell
metadata `reactive.cache` and the cell shows it; a cached cell whose source and inputs are unchanged is
restored from its cache instead of re-run, and says so on its badge.

A cached cell prints a random number: a restored output repeats it exactly, a re-execution prints another.

This module runs its own JupyterLab, whose kernels keep disk caches in a temporary $XDG_CACHE_HOME rather
than the user's ~/.cache, and start each test session with none.
"""

from __future__ import annotations

import os
import re

import pytest
from nbformat.v4 import new_code_cell

from tests.browser.lab import TIMEOUT, LabServer
from tests.browser.lab import missing_requirements as _missing
from tests.browser.needs import expect, needs_extension

pytestmark = needs_extension()


TOGGLE = "reactive:toggle-cache"
TOGGLE_DISK = "reactive:toggle-disk-cache"
RESTORED = "restored from cache (source and inputs unchanged)"
# b reads x; its second output line is a random number, the same only when the output is restored.
B_SOURCE = "print(x * 2)\nprint(__import__('random').random())\ny = x * 2"


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """This module's JupyterLab; its kernels inherit XDG_CACHE_HOME: disk caches go to a temporary folder."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("lab_cache")
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(root / "xdg-cache")
    server = LabServer(root)
    try:
        server.start()
    finally:
        if saved is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = saved
    yield server
    server.stop()


def cells(cache: bool | str | None = None, b_meta: dict | None = None) -> list:
    """a `x = 1`, b (B_SOURCE, with `reactive.cache = cache` unless None), c `print(y)`."""
    meta = dict(b_meta or {})
    if cache is not None:
        meta.setdefault("reactive", {})["cache"] = cache
    return [
        new_code_cell("x = 1", id="a"),
        new_code_cell(B_SOURCE, id="b", metadata=meta),
        new_code_cell("print(y)", id="c"),
    ]


def reactive_meta(lab, cell_id: str):
    """The cell model's `reactive` metadata (None when the key is absent)."""
    return lab.page.evaluate(
        "id => { const c = window.reactiveTest.cell(id); const m = c.model.getMetadata('reactive');"
        " return m === undefined ? null : m; }",
        cell_id,
    )


def wait_meta(lab, cell_id: str, expected) -> None:
    lab._wait(
        "([id, want]) => { const m = window.reactiveTest.cell(id).model.getMetadata('reactive');"
        " return JSON.stringify(m === undefined ? null : m) === JSON.stringify(want); }",
        [cell_id, expected],
        lambda: f"reactive metadata of {cell_id!r} is {reactive_meta(lab, cell_id)!r}, wanted {expected!r}",
    )


def toggled(lab, command_id: str) -> bool:
    return lab.page.evaluate("id => window.jupyterapp.commands.isToggled(id)", command_id)


def badge(lab, cell_id: str):
    return lab.cell(cell_id).locator(".jp-reactive-badge")


def lines(lab, cell_id: str) -> list[str]:
    return lab.output(cell_id).splitlines()


def wait_cached(lab, cell_id: str) -> None:
    """Wait until the cell's badge says it was restored from its cache."""
    lab._wait(
        "id => { const n = window.reactiveTest.node(id);"
        " const b = n && n.querySelector('.jp-reactive-badge');"
        " return !!b && b.textContent === 'fresh · cached'; }",
        cell_id,
        lambda: (
            f"the badge of {cell_id!r} says {badge(lab, cell_id).text_content()!r}, wanted 'fresh · cached' "
            "(does the kernel restore cached cells and send `cached: true` in their state?)"
        ),
    )


# The commands --------------------------------------------------------------------------------------


def test_the_cache_commands_toggle_the_cell_metadata_and_the_cell_shows_it(lab, notebook_name):
    syncs: list[str] = []  # comm messages the page sent the kernel that carry a cache option

    def watch(ws):
        def sent(payload):
            text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            told = '"sync"' in text or '"delta"' in text  # the whole notebook, or what changed
            if told and '"cache"' in text:
                syncs.append(text)

        ws.on("framesent", sent)

    lab.page.on("websocket", watch)
    lab.notebook(notebook_name, cells(b_meta={"reactive": {"note": "kept"}}), reactive=True)
    for command in (TOGGLE, TOGGLE_DISK):
        assert lab.has_command(command), f"{command} is not registered"
    b = lab.cell("b")
    assert b.get_attribute("data-reactive-cache") is None

    lab.select("b")
    assert not toggled(lab, TOGGLE) and not toggled(lab, TOGGLE_DISK)
    lab.command(TOGGLE)
    wait_meta(lab, "b", {"note": "kept", "cache": True})
    expect(b).to_have_attribute("data-reactive-cache", "memory", timeout=TIMEOUT)
    assert toggled(lab, TOGGLE) and not toggled(lab, TOGGLE_DISK)
    expect(badge(lab, "b")).to_have_attribute("title", re.compile(r"cache: in memory"), timeout=TIMEOUT)
    synced = re.compile(r'"id":\s*"b"[^}]*"cache":\s*"memory"')
    for _ in range(100):  # the sync or delta goes out on the next tick after a metadata change
        if any(synced.search(s) for s in syncs):
            break
        lab.page.wait_for_timeout(100)
    else:
        raise AssertionError(f"no sync or delta carried cache: memory for b; those with a cache: {syncs}")

    lab.command(TOGGLE_DISK)  # memory -> disk
    wait_meta(lab, "b", {"note": "kept", "cache": "disk"})
    expect(b).to_have_attribute("data-reactive-cache", "disk", timeout=TIMEOUT)
    assert toggled(lab, TOGGLE_DISK) and not toggled(lab, TOGGLE)

    lab.command(TOGGLE_DISK)  # disk -> off: the other key stays
    wait_meta(lab, "b", {"note": "kept"})
    expect(b).not_to_have_attribute("data-reactive-cache", re.compile(".*"), timeout=TIMEOUT)

    lab.select("c")  # no other reactive key: turning the cache off removes `reactive` altogether
    lab.command(TOGGLE)
    wait_meta(lab, "c", {"cache": True})
    expect(lab.cell("c")).to_have_attribute("data-reactive-cache", "memory", timeout=TIMEOUT)
    lab.command(TOGGLE)
    wait_meta(lab, "c", None)
    expect(lab.cell("c")).not_to_have_attribute("data-reactive-cache", re.compile(".*"), timeout=TIMEOUT)
    assert lab.page.evaluate("() => window.reactiveTest.cell('c').model.metadata.reactive === undefined")
    assert reactive_meta(lab, "a") is None, "the toggles change only the active cell"


def test_the_cache_commands_are_in_the_cell_context_menu_and_the_palette(lab, notebook_name):
    lab.notebook(notebook_name, cells(cache=True), reactive=True)
    page = lab.page
    expect(lab.cell("b")).to_have_attribute("data-reactive-cache", "memory", timeout=TIMEOUT)

    lab.select("c")
    lab.cell("b").locator(".jp-InputPrompt").click(button="right")
    menu = page.locator(".lm-Menu").last
    memory = menu.locator(f".lm-Menu-item[data-command='{TOGGLE}']")
    disk = menu.locator(f".lm-Menu-item[data-command='{TOGGLE_DISK}']")
    expect(memory).to_be_visible(timeout=TIMEOUT)
    expect(memory.locator(".lm-Menu-itemLabel")).to_have_text("Cache Cell Results")
    expect(disk.locator(".lm-Menu-itemLabel")).to_have_text("Cache Cell Results on Disk")
    expect(memory).to_have_class(re.compile(r"\blm-mod-toggled\b"))  # b, the clicked cell, is cached
    expect(disk).not_to_have_class(re.compile(r"\blm-mod-toggled\b"))
    disk.click()
    wait_meta(lab, "b", {"cache": "disk"})
    expect(lab.cell("b")).to_have_attribute("data-reactive-cache", "disk", timeout=TIMEOUT)

    lab.cell("c").locator(".jp-InputPrompt").click(button="right")
    memory = page.locator(f".lm-Menu .lm-Menu-item[data-command='{TOGGLE}']").last
    expect(memory).to_be_visible(timeout=TIMEOUT)
    expect(memory).not_to_have_class(re.compile(r"\blm-mod-toggled\b"))
    page.keyboard.press("Escape")

    lab.select("b")
    lab.palette("Reactive: Cache Cell Results on Disk")  # disk -> off
    wait_meta(lab, "b", None)
    lab.palette("Reactive: Cache Cell Results")
    wait_meta(lab, "b", {"cache": True})


def test_the_cache_commands_are_disabled_on_a_markdown_cell(lab, notebook_name):
    lab.notebook(notebook_name, {"a": "x = 1", "m": "md:# notes"}, reactive=True)
    lab.select("a")
    assert lab.page.evaluate(f"() => window.jupyterapp.commands.isEnabled('{TOGGLE}')")
    lab.select("m")
    for command in (TOGGLE, TOGGLE_DISK):
        assert not lab.page.evaluate(f"() => window.jupyterapp.commands.isEnabled('{command}')"), command


# With the kernel -----------------------------------------------------------------------------------


def test_an_unchanged_cached_cell_is_restored_and_a_changed_input_runs_it(lab, notebook_name):
    lab.notebook(notebook_name, cells(cache=True), reactive=True)
    expect(lab.cell("b")).to_have_attribute("data-reactive-cache", "memory", timeout=TIMEOUT)
    lab.run("a")
    lab.wait_output("c", "2")
    lab.wait_status("fresh")
    first = lines(lab, "b")
    assert first[0] == "2" and len(first) == 2, first
    expect(badge(lab, "b")).to_have_text("fresh", timeout=TIMEOUT)  # the first run fills the cache
    lab.wait_idle()

    lab.run("a")  # same source, same x: b's cascade turn restores it
    wait_cached(lab, "b")
    lab.wait_status("fresh")
    lab.wait_output("c", "2")
    assert lines(lab, "b") == first, "a restored cell shows its cached run's outputs, not a new random number"
    expect(badge(lab, "b")).to_have_class(re.compile(r"\bjp-reactive-badge-cached\b"))
    expect(badge(lab, "b")).to_have_attribute("title", re.compile(re.escape(RESTORED)), timeout=TIMEOUT)
    lab.wait_idle()

    lab.edit("a", "x = 2")
    lab.run("a")
    lab.wait_output("c", "4")
    lab.wait_status("fresh")
    expect(badge(lab, "b")).to_have_text("fresh", timeout=TIMEOUT)
    again = lines(lab, "b")
    assert again[0] == "4" and len(again) == 2 and again[1] != first[1], (first, again)
    expect(badge(lab, "b")).not_to_have_class(re.compile(r"\bjp-reactive-badge-cached\b"))
    assert RESTORED not in (badge(lab, "b").get_attribute("title") or "")


def test_a_disk_cached_cell_is_restored_after_a_kernel_restart(lab, notebook_name):
    lab.notebook(notebook_name, cells(cache="disk"), reactive=True)
    expect(lab.cell("b")).to_have_attribute("data-reactive-cache", "disk", timeout=TIMEOUT)
    lab.run("a")
    lab.wait_output("c", "2")
    lab.wait_status("fresh")
    first = lines(lab, "b")
    assert first[0] == "2" and len(first) == 2, first
    lab.wait_idle()

    lab.page.evaluate("() => window.reactiveTest.panel().sessionContext.restartKernel()")
    lab.wait_status("unrun")  # the new kernel ran nothing yet
    lab.run("a")
    wait_cached(lab, "b")
    lab.wait_status("fresh")  # c ran on the restored y
    lab.wait_output("c", "2")
    assert lines(lab, "b") == first, "the disk cache must restore the run from before the restart"
