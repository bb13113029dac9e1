"""Our nbconvert exporters in a real JupyterLab: listed under File > Save and Export Notebook As, and the
download they give is the notebook as a `.py` file."""

from __future__ import annotations

import urllib.parse

from reactive_kernel import formats
from tests.browser.needs import needs_extension

pytestmark = needs_extension()


def test_save_and_export_lists_the_reactive_formats_and_downloads_a_py_notebook(lab, notebook_name):
    lab.notebook(notebook_name, {"a": "total = n * 2", "b": "n = 21"})
    page = lab.page
    page.locator(".lm-MenuBar-itemLabel", has_text="File").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Save and Export Notebook As").first.hover()
    submenu = page.locator("#jp-mainmenu-file-notebookexport")
    submenu.wait_for()
    labels = submenu.locator(".lm-Menu-itemLabel").all_inner_texts()
    assert "Reactive" in labels and "Marimo" in labels, labels
    page.keyboard.press("Escape")

    for exporter, fmt in (("reactive", "percent"), ("marimo", "marimo")):
        # What the menu item opens (JupyterLab's NbConvertManager.exportAs), fetched with the page's cookies.
        url = f"/nbconvert/{exporter}/{urllib.parse.quote(lab.path)}?download=true"
        status, disposition, text = page.evaluate(
            """async url => { const r = await fetch(url);
                return [r.status, r.headers.get('content-disposition'), await r.text()]; }""",
            url,
        )
        assert status == 200, (status, text[:300])
        assert disposition.endswith(f"{notebook_name}.py")
        assert formats.detect(text) == fmt
        assert [c.source for c in formats.reads(text).cells] == ["total = n * 2", "n = 21"]
