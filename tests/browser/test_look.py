"""How the cells look in a real JupyterLab (docs/frontend.md, On the page): the status badge beside the
active cell's toolbar.

Skipped until `jupyter labextension list` shows `reactive-kernel-labextension` enabled.
"""

from __future__ import annotations

import pytest

from tests.browser.lab import Lab, labextension_enabled

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
expect = sync_api.expect

EXTENSION = "reactive-kernel-labextension"
if not labextension_enabled(EXTENSION):
    pytestmark = pytest.mark.skip(reason=f"{EXTENSION} is not installed and enabled in JupyterLab")

TIMEOUT = 60_000

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
    except sync_api.TimeoutError:
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
