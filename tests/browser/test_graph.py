"""The cell graph panel in a real JupyterLab, against docs/frontend.md ("Graph view").

A small notebook's graph: arrowheads on every edge, a long edge routed through the layers between, labels
that name cells by position and definitions, the active cell's ancestors and descendants marked, statuses
updated in place (the same SVG and boxes, no new layout), and pan and zoom by wheel, drag and keys; in a
tall graph only the boxes in view are on the page, and panning brings the others.
"""

from __future__ import annotations

from tests.browser.lab import TIMEOUT
from tests.browser.needs import expect, needs_extension

pytestmark = needs_extension()


CELLS = {
    "t": "md:# a graph",
    "a": "import math\nx = 1",
    "b": "y = x + 1",
    "c": "z = y * 2",
    "d": "print(x, z)",
    "e": "print('alone')",
    "f": "",
    "g": "alpha_value, beta_value, gamma_value = 1, 2, 3",
}
EDGES = {("a", "b"), ("b", "c"), ("a", "d"), ("c", "d")}
GRAPH = "#jp-reactive-graph"


def node(lab, cell_id):
    return lab.page.locator(f"{GRAPH} g.jp-reactive-graph-node[data-cell-id='{cell_id}']")


def edge(lab, parent, child):
    return lab.page.locator(f"{GRAPH} path.jp-reactive-graph-edge[data-from='{parent}'][data-to='{child}']")


def relations(lab):
    """Every box's `data-reactive-relation` (None when unmarked)."""
    return lab.page.evaluate(
        """graph => Object.fromEntries(
             Array.from(document.querySelectorAll(graph + ' g.jp-reactive-graph-node'))
               .map(g => [g.dataset.cellId, g.getAttribute('data-reactive-relation')]))""",
        GRAPH,
    )


def transform(lab):
    return lab.page.locator(f"{GRAPH} g.jp-reactive-graph-viewport").get_attribute("transform")


def open_graph(lab, notebook_name):
    lab.notebook(notebook_name, CELLS, reactive=True)
    lab.command("reactive:show-graph", "Show Reactive Graph")
    expect(lab.page.locator(GRAPH)).to_be_visible(timeout=TIMEOUT)
    expect(lab.page.locator(f"{GRAPH} g.jp-reactive-graph-node")).to_have_count(7, timeout=TIMEOUT)


def test_edges_have_arrowheads_and_labels_name_cells(lab, notebook_name):
    open_graph(lab, notebook_name)
    page = lab.page
    expect(page.locator(f"{GRAPH} path.jp-reactive-graph-edge")).to_have_count(len(EDGES), timeout=TIMEOUT)
    assert page.locator(f"{GRAPH} marker#jp-reactive-graph-arrow path").count() == 1
    for parent, child in EDGES:
        marker = edge(lab, parent, child).get_attribute("marker-end")
        assert marker.startswith("url(#jp-reactive-graph-arrow"), (parent, child, marker)
    assert " L" in edge(lab, "a", "d").get_attribute("d"), "a -> d passes two layers, straight through them"
    assert " L" not in edge(lab, "a", "b").get_attribute("d")

    labels = {cell: node(lab, cell).locator("text").text_content() for cell in "abcdefg"}
    assert labels["a"] == "#2 x, math", "made names before imported ones"
    assert labels["d"] == "#5 print(x, z)", "a cell defining nothing shows its first words"
    assert labels["f"] == "#7 (no definitions)"
    assert labels["g"].startswith("#8 alpha_value") and labels["g"].endswith("\u2026"), labels["g"]
    node(lab, "g").hover()  # the tooltip is written when the pointer comes
    title = node(lab, "g").locator("title").text_content()
    assert title.startswith("#8 alpha_value, beta_value, gamma_value\n"), title
    assert "defines: alpha_value, beta_value, gamma_value" in title
    assert node(lab, "g").get_attribute("aria-label") == "#8 alpha_value, beta_value, gamma_value"


def test_the_active_cell_its_ancestors_and_descendants_are_marked(lab, notebook_name):
    open_graph(lab, notebook_name)
    lab.run("a")
    lab.wait_status("fresh", "a", "b", "c", "d")
    lab.select("b")
    expect(node(lab, "b")).to_have_attribute("data-reactive-relation", "active", timeout=TIMEOUT)
    lab.screenshot("reactive-graph")
    assert relations(lab) == {
        "a": "ancestor",
        "b": "active",
        "c": "descendant",
        "d": "descendant",
        "e": None,
        "f": None,
        "g": None,
    }
    expect(edge(lab, "a", "b")).to_have_attribute("data-reactive-relation", "ancestor")
    expect(edge(lab, "b", "c")).to_have_attribute("data-reactive-relation", "descendant")
    expect(edge(lab, "c", "d")).to_have_attribute("data-reactive-relation", "descendant")
    assert edge(lab, "a", "d").get_attribute("data-reactive-relation") is None, "a -> d bypasses b"
    assert edge(lab, "b", "c").get_attribute("marker-end") == "url(#jp-reactive-graph-arrow-related)"

    lab.select("d")
    expect(node(lab, "d")).to_have_attribute("data-reactive-relation", "active", timeout=TIMEOUT)
    above = {"a": "ancestor", "b": "ancestor", "c": "ancestor", "d": "active"}
    assert relations(lab) == above | dict.fromkeys("efg")
    lab.select("e")
    expect(node(lab, "e")).to_have_attribute("data-reactive-relation", "active", timeout=TIMEOUT)
    assert relations(lab) == dict.fromkeys("abcdfg") | {"e": "active"}


def test_a_status_change_updates_its_box_in_place(lab, notebook_name):
    open_graph(lab, notebook_name)
    page = lab.page
    expect(node(lab, "c")).to_have_attribute("data-reactive-status", "unrun", timeout=TIMEOUT)
    expect(edge(lab, "c", "d")).to_have_count(1, timeout=TIMEOUT)
    layouts = page.locator(f"{GRAPH} svg.jp-reactive-graph-canvas").get_attribute("data-reactive-layouts")
    page.evaluate(
        """graph => {
             document.querySelector(graph + ' svg').dataset.testMark = 'kept';
             const boxes = document.querySelectorAll(graph + ' g.jp-reactive-graph-node');
             for (const g of boxes) g.dataset.testMark = 'kept';
           }""",
        GRAPH,
    )
    lab.run("a")
    lab.wait_output("d", "1 4")
    for cell in "abcd":
        expect(node(lab, cell)).to_have_attribute("data-reactive-status", "fresh", timeout=TIMEOUT)
    marks = page.evaluate(
        """graph => [document.querySelector(graph + ' svg').dataset.testMark]
             .concat(Array.from(document.querySelectorAll(graph + ' g.jp-reactive-graph-node'))
             .map(g => g.dataset.testMark))""",
        GRAPH,
    )
    assert marks == ["kept"] * 8, f"the SVG or a box was replaced: {marks}"
    canvas = page.locator(f"{GRAPH} svg.jp-reactive-graph-canvas")
    assert canvas.get_attribute("data-reactive-layouts") == layouts, "statuses alone must not lay it out"
    node(lab, "c").hover()
    assert "status: fresh" in node(lab, "c").locator("title").text_content()

    lab.edit("e", "w = 5")  # a new definition: the label changes, the structure does not
    expect(node(lab, "e").locator("text")).to_have_text("#6 w", timeout=TIMEOUT)
    lab.edit("e", "w = z")  # a new edge: laid out again, the boxes stay
    expect(edge(lab, "c", "e")).to_have_count(1, timeout=TIMEOUT)
    assert canvas.get_attribute("data-reactive-layouts") != layouts
    assert node(lab, "a").get_attribute("data-test-mark") == "kept"


def test_wheel_drag_keys_and_fit_move_the_view(lab, notebook_name):
    open_graph(lab, notebook_name)
    page = lab.page
    canvas = page.locator(f"{GRAPH} svg.jp-reactive-graph-canvas")
    box = canvas.bounding_box()
    start = transform(lab)
    assert start and "scale(" in start, start

    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 20)
    page.mouse.wheel(0, -400)
    expect(page.locator(f"{GRAPH} g.jp-reactive-graph-viewport")).not_to_have_attribute("transform", start)
    zoomed = transform(lab)
    assert scale(zoomed) > scale(start), (start, zoomed)

    page.mouse.move(box["x"] + 10, box["y"] + box["height"] - 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 60, box["y"] + box["height"] - 60, steps=5)
    page.mouse.up()
    dragged = transform(lab)
    assert dragged != zoomed and scale(dragged) == scale(zoomed), (zoomed, dragged)

    canvas.focus()
    page.keyboard.press("ArrowLeft")
    keyed = transform(lab)
    assert keyed != dragged, "an arrow key pans"
    page.keyboard.press("-")
    assert scale(transform(lab)) < scale(keyed), "- zooms out"
    page.keyboard.press("0")
    fitted = transform(lab)
    page.keyboard.press("ArrowDown")
    page.locator(f"{GRAPH} .jp-reactive-graph-toolbar button[data-action='fit']").click()
    assert transform(lab) == fitted, "the Fit button and the 0 key show the same view"

    node(lab, "d").click()  # a click, not a drag: goes to the cell
    expect(lab.cell("d")).to_be_in_viewport(timeout=TIMEOUT)
    assert lab.active_cell() == "d"


def test_the_drawing_takes_its_colours_from_the_theme(lab, notebook_name):
    """Themes (light, dark) set JupyterLab's CSS variables; the drawing uses them. Set here on the panel
    only: switching the theme itself would write the user's settings, which other servers share."""
    open_graph(lab, notebook_name)
    colours = lab.page.evaluate(
        """graph => {
             const panel = document.querySelector(graph);
             panel.style.setProperty('--jp-layout-color2', 'rgb(1, 2, 3)');
             panel.style.setProperty('--jp-ui-font-color1', 'rgb(4, 5, 6)');
             panel.style.setProperty('--jp-border-color1', 'rgb(7, 8, 9)');
             const style = selector => getComputedStyle(panel.querySelector(selector));
             return [
               style('g.jp-reactive-graph-node[data-cell-id="e"] rect').fill,
               style('g.jp-reactive-graph-node text').fill,
               style('path.jp-reactive-graph-edge').stroke,
               style('.jp-reactive-graph-arrowhead').fill,
             ];
           }""",
        GRAPH,
    )
    assert colours == ["rgb(1, 2, 3)", "rgb(4, 5, 6)", "rgb(7, 8, 9)", "rgb(7, 8, 9)"]


def test_boxes_out_of_view_come_on_the_page_when_panned_to(lab, notebook_name):
    """A tall graph (a chain of 60 cells, one layer each) opens at its top: only the boxes in view and a
    margin around it are on the page. Panning down brings the others, with the statuses they got while
    off the page; Fit brings them all; the boxes that went off the page and came back are the same."""
    size = 60
    cells = {"c0": "v0 = 0"} | {f"c{i}": f"v{i} = v{i - 1} + 1" for i in range(1, size)}
    last = f"c{size - 1}"
    lab.notebook(notebook_name, cells, reactive=True)
    lab.command("reactive:show-graph", "Show Reactive Graph")
    page = lab.page
    canvas = page.locator(f"{GRAPH} svg.jp-reactive-graph-canvas")
    expect(canvas).to_have_attribute("data-reactive-layouts", "1", timeout=TIMEOUT)
    expect(node(lab, "c0")).to_have_count(1, timeout=TIMEOUT)
    drawn = page.locator(f"{GRAPH} g.jp-reactive-graph-node").count()
    assert 0 < drawn < size, f"{drawn} of {size} boxes on the page at the top of a tall graph"
    expect(node(lab, last)).to_have_count(0)
    node(lab, "c0").evaluate("g => { g.dataset.testMark = 'kept' }")

    lab.run("c0")  # every box changes status, most of them off the page
    lab.wait_status("fresh", *cells)
    canvas.focus()
    for _ in range(400):  # the arrow keys pan 48 px at a time
        if node(lab, last).count():
            break
        page.keyboard.press("ArrowDown")
    expect(node(lab, last)).to_have_attribute("data-reactive-status", "fresh", timeout=TIMEOUT)
    expect(node(lab, "c0")).to_have_count(0)  # panned out of view, and the margin
    assert node(lab, last).locator("text").text_content() == f"#{size} v{size - 1}"
    expect(edge(lab, f"c{size - 2}", last)).to_have_count(1)

    page.keyboard.press("0")  # Fit: the whole graph in view, every box on the page
    expect(page.locator(f"{GRAPH} g.jp-reactive-graph-node")).to_have_count(size, timeout=TIMEOUT)
    expect(page.locator(f"{GRAPH} path.jp-reactive-graph-edge")).to_have_count(size - 1)
    expect(node(lab, "c0")).to_have_attribute("data-test-mark", "kept")
    boxes = page.locator(f"{GRAPH} g.jp-reactive-graph-node")
    order = boxes.evaluate_all("gs => gs.map(g => g.dataset.cellId)")
    assert order == list(cells), "the boxes keep their order (the Tab order) as they come and go"
    for cell in cells:
        expect(node(lab, cell)).to_have_attribute("data-reactive-status", "fresh")

    # a raw cell added at the end, then moved to the top: every box's position changes, the graph does not
    layouts = canvas.get_attribute("data-reactive-layouts")
    notebook = "window.reactiveTest.panel().model.sharedModel"
    page.evaluate(f"() => {notebook}.insertCell({size}, {{cell_type: 'raw'}})")
    lab.select("c3")  # the panel marks it, after it saw the new cell
    expect(canvas).to_have_attribute("data-reactive-active", "c3", timeout=TIMEOUT)
    page.evaluate(f"() => {notebook}.moveCell({size}, 0)")  # as many cells as before: their order changes
    expect(node(lab, "c0").locator("text")).to_have_text("#2 v0", timeout=TIMEOUT)
    expect(node(lab, "c1").locator("text")).to_have_text("#3 v1")
    expect(node(lab, last).locator("text")).to_have_text(f"#{size + 1} v{size - 1}")
    assert canvas.get_attribute("data-reactive-layouts") == layouts


def test_tab_reaches_every_box_of_a_wide_graph(lab, notebook_name):
    """Two layers of 30 boxes, wider than the panel: Tab from the first box goes through every box in
    order, also from the right end of a layer to the left end of the next, far out of view."""
    width = 30
    cells = {"c0": "x = 0"} | {f"a{i}": f"y{i} = x + {i}" for i in range(width)}
    cells |= {f"b{i}": f"z{i} = y{i} * 2" for i in range(width)}
    lab.notebook(notebook_name, cells, reactive=True)
    lab.command("reactive:show-graph", "Show Reactive Graph")
    page = lab.page
    expect(node(lab, "c0")).to_have_count(1, timeout=TIMEOUT)
    expect(node(lab, f"b{width - 1}")).to_have_count(0)  # the far end of the last layer is off the page
    focused = "() => document.activeElement.closest('g.jp-reactive-graph-node')?.dataset.cellId"
    node(lab, "c0").focus()
    visited = ["c0"]
    for _ in range(len(cells) - 1):
        page.keyboard.press("Tab")
        visited.append(page.evaluate(focused))
    assert sorted(map(str, visited)) == sorted(cells), visited
    assert set(visited[1 : width + 1]) == {f"a{i}" for i in range(width)}, f"a layer at a time: {visited}"


def scale(transform_text: str) -> float:
    return float(transform_text.split("scale(")[1].rstrip(")"))
