"""A post's references section (a "References", "Sources", "Ссылки"… heading and its items)
as the page's numbered references.

WordPress authors rarely store one tidy `<ol>`: the classic editor's list button, pasting
and typing "1. " give one-item lists that each render "1.", numbered paragraphs, or one
paragraph with a line per source. Every item of every shape becomes one reference, so that
"[3]" in the text still means the third source, and nothing of the section stays in the body.
"""

import re
import urllib.parse
from dataclasses import dataclass, field

from bs4 import Comment, NavigableString, Tag
from django.utils.translation import gettext as _

from vigil.core.models import SourceReference

from .text import text_fit, words

# Compared lower-cased, without a trailing colon.
REFERENCE_HEADINGS = {
    "references",
    "sources",
    "notes",
    "footnotes",
    "ссылки",
    "источники",
    "примечания",
    "сілтемелер",
    "дереккөздер",
    "ескертпелер",
}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_INLINE_TAGS = {"a", "b", "strong", "i", "em", "span", "sup", "sub", "small", "u", "cite", "font"}
# Empty, these only separate items: WordPress's editor leaves "&nbsp;" paragraphs (and
# `<br>`) between the one-item lists it makes.
_BLOCK_SEPARATORS = {"p", "div"}
_MEDIA = ["img", "iframe", "video", "audio", "figure"]
_MARKER = re.compile(r"^(?:\[\s*(\d{1,3})\s*\]|\(?(\d{1,3})\s*[.)](?!\d))\s*")
_BARE_URL = re.compile(r"https?://[^\s<>\"'«»“”]+", re.I)
_URL_TAIL = ".,;:!?…"
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]|<\s*>")
_EDGE_PUNCTUATION = " ,;:—–-|/"
_FINAL_STOP = re.compile(r"(?<!\.)\.$")


@dataclass
class _Line:
    """One list item, or one line (between `<br>`s) of a paragraph, in the section."""

    nodes: list
    listed: bool = False
    numbered: bool = False
    text: str = ""  # without its number
    url: str = ""
    link_text: str = ""  # the words of the `<a>` that gave `url`, unless they are an address
    url_text: str = ""  # the address as `text` has it (with the punctuation after it)

    @property
    def url_only(self) -> bool:
        """Nothing but a web address (bare, or a link whose text is the address)."""
        return bool(self.url_text) and not _tidy(self.text.replace(self.url_text, " ", 1))


@dataclass
class _Item:
    lines: list[_Line] = field(default_factory=list)

    @property
    def url(self) -> str:
        return next((line.url for line in self.lines if line.url), "")


@dataclass
class ReferencesSection:
    references: list[dict]
    end: int  # index in the container's nodes just after the section


def heading_is_references(*, text: str) -> bool:
    """ "REFERENCES:", "Sources", "Источники"…: a title that names a references section."""
    title = " ".join(text.split()).rstrip(" :.").strip().lower()
    return title in REFERENCE_HEADINGS


def references_section(*, nodes: list, start: int, notes: list[str]) -> ReferencesSection | None:
    """The references section headed by `nodes[start]`, or None when it heads none.

    The heading is an h1–h6, a paragraph that is only the title (bold or not, colon or
    not), or a paragraph whose first line is the title and whose other lines are items.
    """
    first_lines = _heading_lines(nodes[start])
    if first_lines is None:
        return None
    blocks = _section_blocks(nodes=nodes, start=start, first_lines=first_lines)
    taken = _blocks_taken(blocks)
    if not taken:
        return None
    lines = [line for block in taken for line in block.lines]
    references = []
    for item in _items_group(lines):
        reference = _reference_from(item=item, number=len(references) + 1, notes=notes)
        if reference is not None:
            references.append(reference)
    if not references:
        return None
    return ReferencesSection(references=references, end=taken[-1].end)


# -- finding the section ---------------------------------------------------------------


@dataclass
class _Block:
    lines: list[_Line]
    end: int
    is_list: bool = False

    @property
    def qualifies(self) -> bool:
        """Looks like references on its own: a list, a numbered line, or a web address."""
        return self.is_list or any(line.numbered or line.url for line in self.lines)


def _heading_lines(node) -> list[_Line] | None:
    if not isinstance(node, Tag):
        return None
    if node.name in HEADING_TAGS:
        return [] if heading_is_references(text=_text_of([node])) else None
    if node.name != "p":
        return None
    lines = _lines_split(list(node.children))
    if not lines or not heading_is_references(text=_text_of(lines[0])):
        return None
    return [_line_read(nodes) for nodes in lines[1:] if _text_of(nodes)]


def _section_blocks(*, nodes: list, start: int, first_lines: list[_Line]) -> list[_Block]:
    """The lists, paragraphs and embeds after the heading, up to anything else."""
    blocks = [_Block(lines=first_lines, end=start + 1)] if first_lines else []
    index = start + 1
    while index < len(nodes):
        node = nodes[index]
        if _is_separator(node):
            index += 1
            continue
        if _is_inline(node):
            run_end = index
            while run_end < len(nodes) and _is_inline(nodes[run_end], or_space=True):
                run_end += 1
            block = _Block(lines=_paragraph_lines(nodes[index:run_end]), end=run_end)
        elif node.name in ("ol", "ul"):
            items = node.find_all("li", recursive=False)
            lines = [_line_read([item], listed=True) for item in items]
            block = _Block(lines=lines, end=index + 1, is_list=True)
        elif node.name == "p" and _heading_lines(node) is None and not node.find(_MEDIA):
            block = _Block(lines=_paragraph_lines(list(node.children)), end=index + 1)
        elif node.name == "figure" and "wp-block-embed" in " ".join(node.get("class", [])):
            # A video address alone on its line, which WordPress showed as a player.
            url = _text_of([node.find(class_="wp-block-embed__wrapper") or node])
            caption = _text_of([node.find("figcaption")]) if node.find("figcaption") else ""
            line = _line_read([NavigableString(words(f"{caption} {url}"))])
            block = _Block(lines=[line], end=index + 1)
        else:
            break
        blocks.append(block)
        index = block.end
    return blocks


def _blocks_taken(blocks: list[_Block]) -> list[_Block]:
    """The blocks that are the section: up to the last that looks like references.

    A block that does not (a source without a number or link) counts when blocks that do
    stand on both sides of it; one right under the heading counts if it has several
    lines (a line per source). Anything after the last such block is the post again.
    """
    taken: list[_Block] = []
    for position, block in enumerate(blocks):
        neighbours = blocks[position - 1 : position] + blocks[position + 1 : position + 2]
        sandwiched = len(neighbours) == 2 and all(b.qualifies for b in neighbours)
        first_of_lines = position == 0 and len(block.lines) > 1
        if not (block.qualifies or sandwiched or first_of_lines):
            break
        taken.append(block)
    return taken


def _is_separator(node) -> bool:
    if isinstance(node, Comment) or _is_br(node):
        return True
    if isinstance(node, NavigableString):
        # CDATA, declarations and the like are not text (the body walk skips them too).
        return type(node) is not NavigableString or not str(node).strip()
    if node.name in _BLOCK_SEPARATORS:
        return not _text_of([node]) and node.find(_MEDIA) is None
    return False


def _is_inline(node, *, or_space: bool = False) -> bool:
    """Loose text or inline markup (block-editor HTML need not wrap text in `<p>`)."""
    if isinstance(node, NavigableString):
        return type(node) is NavigableString and (or_space or bool(str(node).strip()))
    return node.name in _INLINE_TAGS or (or_space and node.name == "br")


def _is_br(node) -> bool:
    return isinstance(node, Tag) and node.name == "br"


# -- reading items ---------------------------------------------------------------------


def _lines_split(nodes: list) -> list[list]:
    lines: list[list] = [[]]
    for node in nodes:
        if _is_br(node):
            lines.append([])
        elif not isinstance(node, Comment):
            lines[-1].append(node)
    return lines


def _paragraph_lines(nodes: list) -> list[_Line]:
    return [_line_read(line) for line in _lines_split(nodes) if _text_of(line)]


def _line_read(nodes: list, *, listed: bool = False) -> _Line:
    """A line's number ("1.", "[1]", "1)", a superscript 1) and first web address."""
    line = _Line(nodes=nodes, listed=listed)
    text = _text_of(nodes)
    first = next((n for n in nodes if _is_inline(n) or isinstance(n, Tag)), None)
    superscript = _text_of([first]) if isinstance(first, Tag) and first.name == "sup" else ""
    if superscript.strip("[]().").isdigit() and text.startswith(superscript):
        text, line.numbered = text[len(superscript) :].lstrip(" .)"), True
    marker = _MARKER.match(text)
    if marker:
        text, line.numbered = text[marker.end() :], True
    line.text = text.strip()
    link = next((a for a in _links(nodes) if _is_web(a["href"])), None)
    if link is not None:
        line.url = link["href"].strip()
        link_text = _text_of([link])
        if _looks_like_url(link_text, line.url):
            line.url_text = link_text
        else:
            line.link_text = link_text
    elif bare := _BARE_URL.search(line.text):
        line.url = _url_trimmed(bare.group(0))
        # The full stop after the address goes with it; a closing bracket stays in the text.
        after = bare.group(0)[len(line.url) :]
        line.url_text = line.url + after[: len(after) - len(after.lstrip(_URL_TAIL))]
    return line


def _items_group(lines: list[_Line]) -> list[_Item]:
    """Lines into items: a list item or a numbered line starts one.

    In a numbered section a line without a number continues the item above it (a
    source's publisher or address on the next line); elsewhere each line is a source,
    except an address alone on its line under a source that has none.
    """
    numbered_section = any(line.listed or line.numbered for line in lines)
    items: list[_Item] = []
    for line in lines:
        starts = line.listed or line.numbered or not items
        if not starts:
            previous = items[-1]
            continues = (numbered_section or line.url_only) and not (line.url and previous.url)
            starts = not continues
        if starts:
            items.append(_Item(lines=[line]))
        else:
            items[-1].lines.append(line)
    return items


def _reference_from(*, item: _Item, number: int, notes: list[str]) -> dict | None:
    """An item as a reference: its text without its number or bare address as the title."""
    text = " ".join(line.text for line in item.lines if line.text)
    line = next((line for line in item.lines if line.url), None)
    url = line.url if line is not None else ""
    title, publisher = text, ""
    if line is not None and line.link_text and text.startswith(line.link_text):
        # "<a>Title</a>, Publisher": the shape Vigil's own references have.
        title, publisher = line.link_text, text[len(line.link_text) :]
    elif line is not None and line.url_text:
        title = text.replace(line.url_text, " ", 1)
    title, publisher = _tidy(title), _tidy(publisher)
    if len(publisher) > _limit("publisher"):
        title, publisher = _tidy(text), ""
    # The list puts its own full stop after each reference.
    title, publisher = _FINAL_STOP.sub("", title), _FINAL_STOP.sub("", publisher)
    if len(url) > _limit("url"):
        notes.append(
            _(
                "reference %(number)s: its address is longer than %(limit)s characters "
                "and was not stored: %(url)s"
            )
            % {"number": number, "limit": _limit("url"), "url": url}
        )
        url = ""
    title = title or url
    if not title:
        return None
    what = _("the title of reference %(number)s") % {"number": number}
    title = text_fit(text=title, limit=_limit("title"), what=what, notes=notes)
    return {"title": title, "publisher": publisher, "url": url}


# -- text ------------------------------------------------------------------------------


def _text_of(nodes: list) -> str:
    """The words of some nodes, with a space where a line break or block was."""
    parts = []
    for node in nodes:
        pieces = [node, *node.descendants] if isinstance(node, Tag) else [node]
        for piece in pieces:
            if isinstance(piece, Tag):
                if piece.name in ("br", "li", "p", "div", "ul", "ol"):
                    parts.append(" ")
            elif type(piece) is NavigableString:
                parts.append(str(piece))
    return words("".join(parts))


def _links(nodes: list) -> list[Tag]:
    found = []
    for node in nodes:
        if isinstance(node, Tag):
            found.extend([node] if node.name == "a" else node.find_all("a"))
    return [a for a in found if a.get("href")]


def _is_web(url: str) -> bool:
    parts = urllib.parse.urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _looks_like_url(text: str, url: str) -> bool:
    text = text.strip().lower()
    return text.startswith(("http://", "https://", "www.")) or text == url.lower()


def _url_trimmed(url: str) -> str:
    """A bare address without the sentence's punctuation after it."""
    while url and (
        url[-1] in _URL_TAIL
        or (url[-1] == ")" and url.count(")") > url.count("("))
        or (url[-1] == "]" and url.count("]") > url.count("["))
    ):
        url = url[:-1]
    return url


def _tidy(text: str) -> str:
    """Text with what removing an address left behind: "()", doubled or dangling commas."""
    text = _EMPTY_BRACKETS.sub(" ", text)
    text = re.sub(r"\s+([,;:.])", r"\1", words(text))
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    return text.strip(_EDGE_PUNCTUATION)


def _limit(name: str) -> int:
    return SourceReference._meta.get_field(name).max_length
