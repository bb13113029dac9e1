"""marimo's HTML as plain HTML that JupyterLab renders: its custom elements become standard ones.

marimo's frontend draws `<marimo-callout-output>`, `<marimo-accordion>`, `<marimo-tabs>` and
`<marimo-tex>`; JupyterLab knows none of them and would show nothing (or raw `||(x||)`). Their content
travels in the element (children) and in JSON `data-*` attributes, which is what this reads. Elements
it does not know (marimo's UI elements, `<marimo-slider>` ...) are kept as they are. Pure: no marimo
import, so it is tested on its own (tests/test_marimo_html.py).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser

# marimo's callout kinds, as a left border and a background that read on light and dark themes.
_CALLOUT_COLORS = {
    "neutral": "#8a8a8a",
    "info": "#2f80ed",
    "success": "#27ae60",
    "warn": "#e2a300",
    "danger": "#d93f3f",
}
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


def to_jupyter_html(text: str) -> str:
    """`text` with marimo's custom elements replaced by plain HTML (nested ones too)."""
    if "<marimo-" not in text:
        return text
    return "".join(_render(node) for node in _parse(text))


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]  # values unescaped, as the parser gives them
    start: str  # the start tag as written, to write back an element kept as it is
    children: list[_Element | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.root = _Element("", {}, "")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, {k: v or "" for k, v in attrs}, self.get_starttag_text() or "")
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, {k: v or "" for k, v in attrs}, self.get_starttag_text() or "")
        self.stack[-1].children.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):  # close up to the matching element
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def handle_entityref(self, name: str) -> None:
        self.stack[-1].children.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.stack[-1].children.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.stack[-1].children.append(f"<!--{data}-->")


def _parse(text: str) -> list[_Element | str]:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root.children


def _render(node: _Element | str) -> str:
    if isinstance(node, str):
        return node
    render = _CUSTOM.get(node.tag)
    if render is not None:
        return render(node)
    inner = "".join(map(_render, node.children))
    return node.start if node.tag in _VOID else f"{node.start}{inner}</{node.tag}>"


def _inner(node: _Element) -> str:
    return "".join(map(_render, node.children))


def _data(node: _Element, name: str, default: object) -> object:
    """A `data-*` attribute: JSON in marimo's elements."""
    try:
        return json.loads(node.attrs.get(f"data-{name}", ""))
    except ValueError:
        return default


def _tex(node: _Element) -> str:
    """`||(x||)` inline, `||[x||]` display: the delimiters JupyterLab's MathJax typesets."""
    text = "".join(c if isinstance(c, str) else _render(c) for c in node.children)
    for marimo, tex in (("||(", r"\("), ("||)", r"\)"), ("||[", r"\["), ("||]", r"\]")):
        text = text.replace(marimo, tex)
    return text


def _callout(node: _Element) -> str:
    kind = _data(node, "kind", "neutral")
    color = _CALLOUT_COLORS.get(kind if isinstance(kind, str) else "", _CALLOUT_COLORS["neutral"])
    body = _data(node, "html", "")
    style = f"border-left: 4px solid {color}; padding: 0.5em 1em; margin: 0.25em 0; background: {color}1a"
    kind_text = html.escape(str(kind), quote=True)
    inner = to_jupyter_html(str(body))
    return f'<div class="marimo-callout" data-kind="{kind_text}" style="{style}">{inner}</div>'


def _accordion(node: _Element) -> str:
    labels = _data(node, "labels", [])
    expanded = _data(node, "expanded", [])
    opened = {i for i in expanded if isinstance(i, int)} if isinstance(expanded, list) else set()
    items = [c for c in node.children if isinstance(c, _Element)]
    parts = []
    for index, item in enumerate(items):
        label = labels[index] if isinstance(labels, list) and index < len(labels) else ""
        attr = " open" if index in opened else ""
        parts.append(
            f"<details{attr}><summary>{to_jupyter_html(str(label))}</summary>{_inner(item)}</details>"
        )
    return f'<div class="marimo-accordion">{"".join(parts)}</div>'


def _tabs(node: _Element) -> str:
    """Static HTML has no tabs: each tab is a section that opens, the chosen one open."""
    labels = _data(node, "tabs", [])
    chosen = _data(node, "initial-value", "")
    items = [c for c in node.children if isinstance(c, _Element)]
    parts = []
    for index, item in enumerate(items):
        label = labels[index] if isinstance(labels, list) and index < len(labels) else ""
        first = chosen in ("", None) and index == 0
        attr = " open" if first or chosen == html.unescape(_strip_tags(str(label))) else ""
        parts.append(
            f"<details{attr}><summary>{to_jupyter_html(str(label))}</summary>{_inner(item)}</details>"
        )
    return f'<div class="marimo-tabs">{"".join(parts)}</div>'


def _unwrap(node: _Element) -> str:
    """`<marimo-ui-element>` around tabs: the tabs alone (other UI elements are kept whole)."""
    kids = [c for c in node.children if isinstance(c, _Element)]
    if len(kids) == 1 and kids[0].tag == "marimo-tabs":
        return _tabs(kids[0])
    return f"{node.start}{_inner(node)}</{node.tag}>"


def _strip_tags(text: str) -> str:
    out: list[str] = []

    def walk(nodes: list[_Element | str]) -> None:
        for n in nodes:
            if isinstance(n, str):
                out.append(n)
            else:
                walk(n.children)

    walk(_parse(text))
    return "".join(out).strip()


_CUSTOM = {
    "marimo-tex": _tex,
    "marimo-callout-output": _callout,
    "marimo-accordion": _accordion,
    "marimo-tabs": _tabs,
    "marimo-ui-element": _unwrap,
}
