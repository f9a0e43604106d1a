"""A small element tree over ``html.parser`` for tests that assert structure, not markup.

The viewer's tests look at elements, attributes, classes, ids and counts through this tree,
so the same tests hold whether a page is written by f-strings or by a template engine (with
other whitespace, attribute order or quoting). Parsing also checks that the markup is well
formed: every end tag closes the element opened last (void elements aside), and every
element is closed by the end of the input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements without an end tag (HTML Living Standard, "void elements").
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})


class MalformedHTML(AssertionError):
    """An end tag that does not close the open element, or an element left open."""


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def elements(self) -> list[Element]:
        """The child elements (text left out)."""
        return [c for c in self.children if isinstance(c, Element)]

    def iter(self) -> Iterator[Element]:
        """Every element below this one, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None,
                 **attrs: str | bool) -> list[Element]:
        """Descendants with this tag, having class ``cls``, and these attributes (``True``:
        present with any value; a ``data_x`` keyword means ``data-x``)."""
        wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
        out = []
        for el in self.iter():
            if tag is not None and el.tag != tag:
                continue
            if cls is not None and cls not in el.classes:
                continue
            if all((k in el.attrs) if v is True else el.attrs.get(k) == v
                   for k, v in wanted.items()):
                out.append(el)
        return out

    def one(self, tag: str | None = None, cls: str | None = None,
            **attrs: str | bool) -> Element:
        """The only descendant matching (see :meth:`find_all`); fails on none or several."""
        found = self.find_all(tag, cls, **attrs)
        assert len(found) == 1, (tag, cls, attrs, len(found))
        return found[0]

    def by_id(self, id_: str) -> Element:
        return self.one(id=id_)

    def text(self, skip: Callable[[Element], bool] = lambda el: False) -> str:
        """The text below this element, character references decoded; elements for which
        ``skip`` is true are left out with everything inside them."""
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif not skip(child):
                parts.append(child.text(skip))
        return "".join(parts)


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.open = self.root
        self.doctype: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs}, parent=self.open)
        self.open.children.append(el)
        if tag not in VOID:
            self.open = el

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <rect … /> in inline SVG: an element with no children
        self.open.children.append(Element(tag, {k: v or "" for k, v in attrs}, parent=self.open))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.open.tag != tag:
            raise MalformedHTML(f"</{tag}> closes <{self.open.tag}>")
        assert self.open.parent is not None
        self.open = self.open.parent

    def handle_data(self, data: str) -> None:
        self.open.children.append(data)


def parse(html: str) -> Element:
    """The document (or fragment) as a tree under a ``#document`` root; the declaration,
    if any, is ``root.attrs["doctype"]``. Attribute names come lower-cased (``viewbox``),
    as the HTML parser reads them."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    if builder.open is not builder.root:
        raise MalformedHTML(f"<{builder.open.tag}> is never closed")
    if builder.doctype is not None:
        builder.root.attrs["doctype"] = builder.doctype
    return builder.root


def is_tooltip(el: Element) -> bool:
    """The viewer's figure tooltips (``role="tooltip"``), left out of the visible text."""
    return el.attrs.get("role") == "tooltip"
