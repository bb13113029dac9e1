"""How the cells look in a real JupyterLab (docs/frontend.md, On the page): the status badge beside the
active cell's toolbar, the stale colour apart from JupyterLab's "modified" orange in light and dark themes
(and a user's own colour kept), and old outputs dimmed after a kernel restart until their cell runs again.

Skipped until `jupyter labextension list` shows `reactive-kernel-labextension` enabled.
"""

from __future__ import annotations

import json
import math

import pytest

from tests.browser.lab import TIMEOUT, Lab, LabServer
from tests.browser.needs import PlaywrightTimeout, expect, needs_extension

pytestmark = needs_extension()


# A cell's badge, cell toolbar and input as {x, y, width, height} (null where missing), and whether the
# badge and a shown toolbar overlap.
BOXES = """id => {
  const node = window.reactiveTest.node(id);
  const box = sel => {
    const n = node && node.querySelector(sel);
    if (!n) return null;
    const r = n.getBoundingClientRect();
    return {x: r.x, y: r.y, width: r.width, height: r.height};
  };
  const b = {
    badge: box('.jp-reactive-badge'), toolbar: box('.jp-cell-toolbar'), input: box('.jp-Cell-inputWrapper'),
  };
  const [p, q] = [b.badge, b.toolbar];
  b.overlap = !!(p && q && q.width && p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height
                 && q.y < p.y + p.height);
  return b;
}"""

# [r, g, b] of a CSS colour as the page paints it: computed colours come as rgb(), or as color(srgb ...)
# for a color-mix().
RGB = """value => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = value;
  ctx.fillRect(0, 0, 1, 1);
  return Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
}"""


def boxes(lab: Lab, cell: str) -> dict:
    return lab.page.evaluate(BOXES, cell)


def wait_boxes(lab: Lab, cell: str, predicate: str, message: str) -> dict:
    """Wait until `predicate` (JS, over `b`: the cell's boxes) holds; return the boxes."""
    try:
        lab.page.wait_for_function(
            f"([id, boxes]) => {{ const b = (0, eval)(boxes)(id); return {predicate}; }}",
            arg=[cell, BOXES],
            timeout=TIMEOUT,
        )
    except PlaywrightTimeout:
        raise AssertionError(f"cell {cell!r}: {message}: {boxes(lab, cell)}") from None
    return boxes(lab, cell)


def test_the_active_cells_badge_is_never_under_the_cell_toolbar(lab, notebook_name):
    cells = {"a": "x = 1", "b": "y = x + 1\nprint(y)", "c": "z = [\n    x,\n    y,\n]\nprint(z)\nz"}
    lab.notebook(notebook_name, cells, reactive=True)
    lab.run("a")
    lab.wait_status("fresh")
    for cell in cells:  # one, two and six lines: the toolbar (25 px high) reaches the badge in the first two
        lab.select(cell)
        shown = "b.badge && b.toolbar && b.toolbar.width > 0"
        wait_boxes(lab, cell, shown, "the active cell shows no cell toolbar or no badge")
        b = wait_boxes(lab, cell, f"{shown} && !b.overlap", "the badge is under the cell toolbar")
        inside = b["input"]["x"] <= b["badge"]["x"] and b["badge"]["y"] + b["badge"]["height"] <= (
            b["input"]["y"] + b["input"]["height"]
        )
        assert inside, f"cell {cell!r}: the badge left the cell's input: {b}"
    # A cell that is no longer active has no toolbar: its badge is back at the input's right edge.
    b = wait_boxes(lab, "a", "b.badge && !b.toolbar", "cell 'a' still has a toolbar")
    right_gap = b["input"]["x"] + b["input"]["width"] - (b["badge"]["x"] + b["badge"]["width"])
    assert 0 <= right_gap < 12, f"cell 'a' (inactive): the badge is not at the right edge: {b}"


def colour(lab: Lab, value: str) -> list[int]:
    return lab.page.evaluate(RGB, value)


def distance(a: list[int], b: list[int]) -> float:
    return math.dist(a, b)


def stale_and_modified_colours(lab: Lab) -> dict[str, list[int]]:
    """The colours of a stale cell (its badge's edge, its stripe) and of JupyterLab's mark of a cell modified
    since it ran (its prompt), as painted."""
    css = lab.page.evaluate(
        """() => {
          const node = id => window.reactiveTest.node(id);
          const style = (id, sel) => getComputedStyle(node(id).querySelector(sel));
          return {
            badge: style('c', '.jp-reactive-badge').borderLeftColor,
            stripe: getComputedStyle(node('c')).boxShadow,
            modified: style('a', '.jp-InputPrompt').color,
            dirty: node('a').classList.contains('jp-mod-dirty'),
          };
        }"""
    )
    assert css["dirty"], "cell 'a' should carry JupyterLab's jp-mod-dirty (edited since it ran)"
    stripe = css["stripe"]  # "rgb(...) 4px 0px 0px 0px inset" or "color(srgb ...) 4px ..."
    stripe_colour = stripe[: stripe.index(")") + 1]
    return {
        "badge": colour(lab, css["badge"]),
        "stripe": colour(lab, stripe_colour),
        "modified": colour(lab, css["modified"]),
    }


def stale_and_modified(lab: Lab, name: str) -> None:
    """a -> b -> c in lazy mode, all run; b changed and run (c turns stale); a edited, not run (modified)."""
    lab.notebook(
        name, {"a": "x = 1", "b": "y = x + 1", "c": "print(y)"}, {"reactive": {"mode": "lazy"}}, True
    )
    for cell in "abc":
        lab.run(cell)
        lab.wait_status("fresh", cell)
    lab.edit("b", "y = x + 2")
    lab.run("b")
    lab.wait_status({"b": "fresh", "c": "stale"})
    lab.edit("a", "x = 5")
    lab.select("b")  # away from a and c: neither is active
    lab.page.wait_for_function("() => window.reactiveTest.node('a').classList.contains('jp-mod-dirty')")


@pytest.fixture(scope="module")
def theme_server(lab_server, tmp_path_factory):
    """A JupyterLab of this module's own: the tests below switch its theme and write its user settings."""
    server = LabServer(tmp_path_factory.mktemp("theme-lab"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def theme_lab(theme_server, page):
    driver = Lab(theme_server, page)
    yield driver
    page.close()
    if driver.path:
        theme_server.shutdown_sessions(driver.path)


def set_theme(lab: Lab, theme: str, light: bool) -> None:
    lab.command("apputils:change-theme", args={"theme": theme})
    lab.page.wait_for_function(
        "light => document.body.dataset.jpThemeLight === String(light)", arg=light, timeout=TIMEOUT
    )


def test_stale_is_not_the_orange_of_a_cell_modified_since_it_ran_in_light_and_dark_themes(
    theme_lab, notebook_name
):
    lab = theme_lab
    stale_and_modified(lab, notebook_name)
    seen = {}
    for theme, light in (("JupyterLab Light", True), ("JupyterLab Dark", False)):
        set_theme(lab, theme, light)
        seen[theme] = got = stale_and_modified_colours(lab)
        assert got["badge"] == got["stripe"], f"{theme}: the stale badge and stripe differ: {got}"
        # Far apart as colours, not merely unequal: orange (239, 108, 0) against violet.
        assert distance(got["badge"], got["modified"]) > 120, f"{theme}: stale looks like modified: {got}"
    light, dark = seen["JupyterLab Light"]["badge"], seen["JupyterLab Dark"]["badge"]
    assert sum(dark) > sum(light), f"stale should be lighter on the dark theme: {seen}"


def test_a_users_own_stale_colour_still_applies(theme_lab, notebook_name):
    lab = theme_lab
    (lab.server.user_settings / "reactive-kernel-labextension").mkdir(parents=True, exist_ok=True)
    settings = {"colors": {"stale": "rgb(0, 128, 128)", "fresh": "var(--jp-warn-color1)"}}
    (lab.server.user_settings / "reactive-kernel-labextension" / "plugin.jupyterlab-settings").write_text(
        json.dumps(settings)
    )
    try:
        stale_and_modified(lab, notebook_name)
        got = stale_and_modified_colours(lab)
        assert got["badge"] == [0, 128, 128], got
        fresh = lab.page.evaluate(
            "() => getComputedStyle(window.reactiveTest.node('b').querySelector('.jp-reactive-badge'))"
            ".borderLeftColor"
        )
        assert colour(lab, fresh) == got["modified"], "a user may choose JupyterLab's orange for a status"
    finally:
        (lab.server.user_settings / "reactive-kernel-labextension" / "plugin.jupyterlab-settings").unlink()


def dimmed(lab: Lab, cell: str) -> bool:
    return lab.page.evaluate(
        "id => { const n = window.reactiveTest.node(id);"
        " return Number(getComputedStyle(n.querySelector('.jp-Cell-outputWrapper')).opacity) < 1; }",
        cell,
    )


def test_after_a_restart_old_outputs_are_dimmed_until_their_cell_runs_again(lab, notebook_name):
    cells = {"a": "x = 1\nprint('a', x)", "b": "print('b', x + 1)", "c": "print('c')", "d": "q = 1"}
    lab.notebook(notebook_name, cells, reactive=True)
    lab.run("a")
    lab.wait_output("b", "b 2")
    lab.run("c")
    lab.run("d")
    lab.wait_status("fresh")
    assert not any(dimmed(lab, cell) for cell in cells), "nothing is dimmed before the restart"

    lab.page.evaluate("() => window.reactiveTest.panel().sessionContext.restartKernel()")
    lab.wait_status("unrun")
    for cell in "abc":  # outputs of a kernel that is gone
        expect(lab.cell(cell)).to_have_attribute("data-reactive-outputs", "previous-kernel", timeout=TIMEOUT)
        assert dimmed(lab, cell), f"cell {cell!r}: its old output is not dimmed"
    assert lab.cell("d").get_attribute("data-reactive-outputs") is None, "d has no outputs to dim"
    assert lab.output("b") == "b 2", "the old outputs stay, dimmed"

    lab.run("c")
    lab.wait_status("fresh", "c")
    lab.wait_output("c", "c")
    expect(lab.cell("c")).not_to_have_attribute("data-reactive-outputs", "previous-kernel", timeout=TIMEOUT)
    assert not dimmed(lab, "c")
    assert dimmed(lab, "a") and dimmed(lab, "b"), "cells that have not run since stay dimmed"

    lab.edit("a", "x = 2\nprint('a', x)")
    lab.run("a")  # and b, which reads x
    lab.wait_output("b", "b 3")
    lab.wait_status("fresh", "a", "b")
    for cell in "ab":
        expect(lab.cell(cell)).not_to_have_attribute(
            "data-reactive-outputs", "previous-kernel", timeout=TIMEOUT
        )
        assert not dimmed(lab, cell)
