"""marimo's custom elements as plain HTML for JupyterLab (features/marimo_html.py), one case per row.

The inputs are what marimo 0.25 writes for mo.md, mo.callout, mo.accordion and mo.ui.tabs (the data-*
attributes hold JSON, HTML-escaped); tests/test_marimo_runtime.py checks the same on real marimo objects.
"""

from __future__ import annotations

import pytest

from reactive_kernel.features.marimo_html import to_jupyter_html


def attr(json_text: str) -> str:
    """A data-* attribute's value as marimo writes it: JSON, HTML-escaped, in single quotes."""
    return "'" + json_text.replace("&", "&amp;").replace('"', "&quot;") + "'"


CAREFUL, WARN, B = attr('"<b>careful</b>"'), attr('"warn"'), attr('"B"')
LABELS, TAB_LABELS = attr('["<i>One</i>","Two"]'), attr('["A","B"]')
NESTED, NOPE = attr('"<marimo-tex>||(y||)</marimo-tex>"'), attr('"nope"')
CALLOUT = f"<marimo-callout-output data-html={CAREFUL} data-kind={WARN}></marimo-callout-output>"
ACCORDION = (
    f"<marimo-accordion data-labels={LABELS} data-multiple='false' data-expanded='[1]'>"
    "<div><p>first</p></div><div><p>second</p></div></marimo-accordion>"
)
TABS = (
    "<marimo-ui-element object-id='x' random-id='x'>"
    f"<marimo-tabs data-initial-value={B} data-label='null' data-tabs={TAB_LABELS}>"
    "<div data-kind='tab'>a</div><div data-kind='tab'>b</div></marimo-tabs></marimo-ui-element>"
)

CASES = [
    ("plain <b>html</b> &amp; text", "plain <b>html</b> &amp; text"),
    ('<marimo-tex class="arithmatex">||(x^2 &lt; 1||)</marimo-tex>', r"\(x^2 &lt; 1\)"),
    ('<marimo-tex class="arithmatex">||[\nz = 1\n||]</marimo-tex>', "\\[\nz = 1\n\\]"),
    (
        CALLOUT,
        '<div class="marimo-callout" data-kind="warn" style="border-left: 4px solid #e2a300; '
        'padding: 0.5em 1em; margin: 0.25em 0; background: #e2a3001a"><b>careful</b></div>',
    ),
    (
        ACCORDION,
        '<div class="marimo-accordion"><details><summary><i>One</i></summary><p>first</p></details>'
        "<details open><summary>Two</summary><p>second</p></details></div>",
    ),
    (
        TABS,
        '<div class="marimo-tabs"><details><summary>A</summary>a</details>'
        "<details open><summary>B</summary>b</details></div>",
    ),
    (  # nested: a callout in a flex stack, math in the callout
        "<div style='display: flex'><span>x</span>"
        f"<marimo-callout-output data-html={NESTED} data-kind={NOPE}>"
        "</marimo-callout-output><br></div>",
        "<div style='display: flex'><span>x</span>"
        '<div class="marimo-callout" data-kind="nope" style="border-left: 4px solid #8a8a8a; '
        'padding: 0.5em 1em; margin: 0.25em 0; background: #8a8a8a1a">\\(y\\)</div><br></div>',
    ),
    (  # a UI element marimo's frontend draws: kept as it is (live UI elements are another module's job)
        "<marimo-ui-element object-id='s'><marimo-slider data-start='1'></marimo-slider></marimo-ui-element>",
        "<marimo-ui-element object-id='s'><marimo-slider data-start='1'></marimo-slider></marimo-ui-element>",
    ),
    (  # broken JSON in an attribute: the element still renders, without that part
        "<marimo-callout-output data-html='{oops' data-kind='\"info\"'></marimo-callout-output>",
        '<div class="marimo-callout" data-kind="info" style="border-left: 4px solid #2f80ed; '
        'padding: 0.5em 1em; margin: 0.25em 0; background: #2f80ed1a"></div>',
    ),
]


@pytest.mark.parametrize(("marimo_html", "jupyter_html"), CASES)
def test_marimo_elements_become_plain_html(marimo_html, jupyter_html):
    assert to_jupyter_html(marimo_html) == jupyter_html
