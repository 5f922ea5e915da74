"""WordPress post content to the body blocks of vigil/core/blocks.py.

WordPress renders a post by stripping block comments, running `wpautop` on
classic-editor text (paragraphs there are blank lines, not `<p>`) and then
expanding shortcodes. This module does the same in the order that keeps the
structure, and turns the result into StreamField data: rich-text paragraphs
and lists (nested lists survive), headings, quotations, images (imported
attachments only), embeds and YouTube or Vimeo players as link cards, and a
references section (references.py) as the page's numbered references.
Anything else is dropped and named in `notes`, never left as raw text, and
text longer than its field is cut only with the rest named in `notes`; rich
text is cleaned with nh3 to what the editor's features allow.
"""

import html
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

import nh3
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from django.utils.translation import gettext as _

from vigil.core.blocks import RICH_TEXT_FEATURES, BodyBlock

from .references import references_section
from .text import text_fit, words

# What RICH_TEXT_FEATURES ("bold", "italic", "ol", "ul", "link", "document-link")
# produce in Wagtail's stored format. Headings are blocks of their own.
RICH_TEXT_FEATURE_TAGS = {"p", "b", "i", "ul", "ol", "li", "a", "br"}
assert set(RICH_TEXT_FEATURES) == {"bold", "italic", "ol", "ul", "link", "document-link"}, (
    "the rich-text features changed: update RICH_TEXT_FEATURE_TAGS"
)
ATTACHMENT_PLACEHOLDER = "wp-attachment:{}"
_PLACEHOLDER = re.compile(r"wp-attachment:(\d+)")
_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.DOTALL)
_REUSABLE_BLOCK = re.compile(r"<!--\s*wp:block\s+\{[^}]*\"ref\":(\d+)")
_SIZE_SUFFIX = re.compile(r"-(?:\d+x\d+|scaled|rotated)(?=\.\w+$)")
_WP_IMAGE_CLASS = re.compile(r"\bwp-image-(\d+)\b")
_SHORTCODE = re.compile(r"\[(\[?)([A-Za-z][\w-]*)((?:\s[^\[\]]*?)?)\s*(/?)\](\]?)")
_SHORTCODE_ATTR = re.compile(r"([\w-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s'\"\]]+))")
_CAPTION_PARTS = re.compile(r"((?:<a [^>]+>\s*)?<img [^>]+>(?:\s*</a>)?)(.*)", re.DOTALL | re.I)
KNOWN_SHORTCODES = {"caption", "wp_caption", "gallery", "embed", "video", "audio", "playlist"}
DROPPED_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "link",
    "meta",
    "base",
    "head",
    "title",
}
INLINE_TAGS = {
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "br",
    "cite",
    "code",
    "data",
    "del",
    "dfn",
    "em",
    "font",
    "i",
    "ins",
    "kbd",
    "mark",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "time",
    "tt",
    "u",
    "var",
    "wbr",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
SAFE_SCHEMES = {"http", "https", "mailto"}
_YOUTUBE_HOSTS = {"youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com"}
_YOUTUBE_ID = re.compile(r"[\w-]{11}")
_LONE_URL = re.compile(r"https?://[^\s<>\"]+", re.I)


def _block_limit(block: str, name: str) -> int:
    """A body block field's max_length, so that what is stored always validates."""
    return BodyBlock().child_blocks[block].child_blocks[name].field.max_length


HEADING_LIMIT = _block_limit("heading", "text")
ALT_LIMIT = _block_limit("image", "alt_text")
CAPTION_LIMIT = _block_limit("image", "caption")
EMBED_TITLE_LIMIT = _block_limit("embed", "title")


@dataclass(frozen=True)
class Attachment:
    """An attachment of the export, as post bodies may refer to it."""

    wp_id: int
    kind: str  # "image" or "document"
    url: str
    relative_path: str  # under wp-content/uploads, from `_wp_attached_file`
    title: str
    alt: str
    parent_id: int


@dataclass
class AttachmentIndex:
    """The export's attachments, and which of them exist in Vigil once the import is done."""

    attachments: list[Attachment]
    available: set[int] = field(default_factory=set)

    def __post_init__(self):
        self._by_id = {a.wp_id: a for a in self.attachments}
        self._by_path = {}
        for attachment in self.attachments:
            for url in (attachment.url, attachment.relative_path):
                path = urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/")
                if path:
                    self._by_path[path] = attachment

    def get(self, wp_id: int) -> Attachment | None:
        return self._by_id.get(wp_id)

    def find(self, url: str) -> Attachment | None:
        """The attachment behind an upload URL, also for WordPress's resized copies."""
        path = urllib.parse.unquote(urllib.parse.urlsplit(url.strip()).path).lstrip("/")
        if not path:
            return None
        for candidate in (path, _SIZE_SUFFIX.sub("", path)):
            if candidate in self._by_path:
                return self._by_path[candidate]
            for known, attachment in self._by_path.items():
                if candidate.endswith("/" + known) or known.endswith("/" + candidate):
                    return attachment
        return None

    def children(self, parent_id: int) -> list[Attachment]:
        return [a for a in self.attachments if a.parent_id == parent_id and a.kind == "image"]


@dataclass
class ConvertedBody:
    """StreamField data with `wp-attachment:<id>` placeholders for images and documents."""

    blocks: list[dict]
    references: list[dict]
    notes: list[str]
    first_text: str


def text_plain(*, html_text: str) -> str:
    """Markup-free text (titles, captions, summaries): every tag removed by nh3, one line."""
    cleaned = nh3.clean(html_text or "", tags=set(), strip_comments=True)
    return " ".join(html.unescape(cleaned).split())


def rich_text_clean(*, html_text: str) -> str:
    """Rich text reduced to what the paragraph block's editor features can produce."""
    return nh3.clean(
        html_text,
        tags=RICH_TEXT_FEATURE_TAGS,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href", "linktype", "id"}},
        url_schemes=SAFE_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def placeholders_resolve(*, value, resolve: Callable[[int], int | None]):
    """Replace `wp-attachment:<id>` placeholders in planned block data with Vigil ids."""
    if isinstance(value, str):
        if value.startswith("wp-attachment:") and _PLACEHOLDER.fullmatch(value):
            return resolve(int(value.split(":")[1]))
        return _PLACEHOLDER.sub(lambda m: str(resolve(int(m.group(1))) or ""), value)
    if isinstance(value, list):
        return [placeholders_resolve(value=v, resolve=resolve) for v in value]
    if isinstance(value, dict):
        return {k: placeholders_resolve(value=v, resolve=resolve) for k, v in value.items()}
    return value


# -- wpautop ---------------------------------------------------------------------------

_ALLBLOCKS = (
    "(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form"
    "|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside"
    "|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)


def html_autop(*, text: str) -> str:
    """Paragraphs and line breaks for classic-editor text, as WordPress's `wpautop()` makes them.

    Blank lines become paragraphs, single newlines `<br>`; block-level tags are
    left unwrapped; `<pre>` is kept as typed.
    """
    if not text.strip():
        return ""
    text = text + "\n"
    pre_blocks: dict[str, str] = {}
    if "<pre" in text:

        def keep_pre(match: re.Match) -> str:
            key = f"<pre wp-pre-tag-{len(pre_blocks)}></pre>"
            pre_blocks[key] = match.group(0)
            return key

        text = re.sub(r"<pre[\s>].*?</pre>", keep_pre, text, flags=re.DOTALL | re.I)
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = re.sub(rf"(<{_ALLBLOCKS}[\s/>])", r"\n\n\1", text)
    text = re.sub(rf"(</{_ALLBLOCKS}>)", r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Newlines inside a tag's attributes are not line breaks.
    text = re.sub(r"<[^<>]*>", lambda m: m.group(0).replace("\n", " <!-- wpnl --> "), text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)
    text = re.sub(r"\n\n+", "\n\n", text)
    chunks = [c for c in re.split(r"\n\s*\n", text) if c.strip()]
    text = "".join(f"<p>{chunk.strip(chr(10))}</p>\n" for chunk in chunks)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*(</?{_ALLBLOCKS}[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*(</?{_ALLBLOCKS}[^>]*>)", r"\1", text)
    text = re.sub(rf"(</?{_ALLBLOCKS}[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(
        r"<(script|style|svg|math).*?</\1>",
        lambda m: m.group(0).replace("\n", "<WPPreserveNewline />"),
        text,
        flags=re.DOTALL,
    )
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = text.replace("<WPPreserveNewline />", "\n")
    text = re.sub(rf"(</?{_ALLBLOCKS}[^>]*>)\s*<br />", r"\1", text)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for key, block in pre_blocks.items():
        text = text.replace(key, block)
    return text.replace(" <!-- wpnl --> ", "\n").replace("<!-- wpnl -->", "\n")


# -- shortcodes ------------------------------------------------------------------------


def _attrs(raw: str) -> dict[str, str]:
    return {
        m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
        for m in _SHORTCODE_ATTR.finditer(raw)
    }


def shortcodes_expand(*, text: str, attachments: AttachmentIndex, post_id: int, notes: list[str]):
    """Shortcodes as the HTML WordPress would render for them; unknown ones removed.

    Only shortcode-shaped brackets count: a known name, attributes, a closing
    `[/name]` or `/]`. "[sic]", "[1]" and Vigil's "[[days]]" stay as typed.
    """
    out = []
    position = 0
    while match := _SHORTCODE.search(text, position):
        escaped_open, name, raw_attrs, self_closing, escaped_close = match.groups()
        lowered = name.lower()
        closing = None
        if not self_closing:
            closing = re.compile(r"\[/" + re.escape(name) + r"\]").search(text, match.end())
        if not (lowered in KNOWN_SHORTCODES or raw_attrs.strip() or self_closing or closing):
            out.append(text[position : match.end()])
            position = match.end()
            continue
        out.append(text[position : match.start()])
        if escaped_open and escaped_close:
            # "[[caption]]" is how WordPress authors write a literal "[caption]".
            out.append(match.group(0)[1:-1])
            position = match.end()
            continue
        inner = text[match.end() : closing.start()] if closing else ""
        position = closing.end() if closing else match.end()
        if escaped_open:
            out.append("[")
        out.append(
            _shortcode_html(
                name=lowered,
                attrs=_attrs(raw_attrs),
                inner=inner,
                attachments=attachments,
                post_id=post_id,
                notes=notes,
            )
        )
        if escaped_close:
            out.append("]")
    out.append(text[position:])
    return "".join(out)


def _shortcode_html(
    *, name: str, attrs: dict, inner: str, attachments: AttachmentIndex, post_id: int, notes
) -> str:
    if name in ("caption", "wp_caption"):
        parts = _CAPTION_PARTS.search(inner)
        image, caption = (parts.group(1), parts.group(2)) if parts else ("", inner)
        caption = attrs.get("caption") or caption
        return f"<figure class='wp-caption'>{image}<figcaption>{caption}</figcaption></figure>"
    if name == "gallery":
        ids = [int(i) for i in re.findall(r"\d+", attrs.get("ids", "") or attrs.get("include", ""))]
        chosen = [attachments.get(i) for i in ids] if ids else attachments.children(post_id)
        images = "".join(
            f"<img class='wp-image-{a.wp_id}' src='{html.escape(a.url)}' alt=''>"
            for a in chosen
            if a is not None
        )
        if not images:
            notes.append(_("gallery left out: none of its images is in the export"))
        return f"<figure class='wp-gallery'>{images}</figure>"
    if name in ("embed", "video", "audio"):
        url = inner.strip() or next(
            (v for k, v in attrs.items() if k in ("src", "mp4", "m4v", "webm", "mp3", "ogg")), ""
        )
        return (
            "<figure class='wp-block-embed'><div class='wp-block-embed__wrapper'>"
            f"{html.escape(url)}</div></figure>"
        )
    if inner:
        notes.append(_("shortcode [%(name)s] removed, its text kept") % {"name": name})
        return shortcodes_expand(text=inner, attachments=attachments, post_id=post_id, notes=notes)
    notes.append(_("shortcode [%(name)s] removed") % {"name": name})
    return ""


# -- HTML to blocks --------------------------------------------------------------------


def content_convert(
    *, content: str, attachments: AttachmentIndex, post_id: int, base_url: str = ""
) -> ConvertedBody:
    """A post's content as body blocks, numbered references and notes on what was changed."""
    notes: list[str] = []
    for ref in _REUSABLE_BLOCK.findall(content):
        notes.append(_("reusable block %(id)s left out") % {"id": ref})
    is_block_content = "<!-- wp:" in content
    text = _BLOCK_COMMENT.sub("", content)
    text = shortcodes_expand(text=text, attachments=attachments, post_id=post_id, notes=notes)
    if not is_block_content:
        text = html_autop(text=text)
    soup = BeautifulSoup(text, "html.parser")
    converter = _Converter(attachments=attachments, notes=notes, base_url=base_url)
    converter.walk(soup)
    converter.flush()
    return ConvertedBody(
        blocks=converter.blocks,
        references=converter.references,
        notes=list(dict.fromkeys(notes)),
        first_text=converter.first_text,
    )


def _is_tag(node) -> bool:
    return isinstance(node, Tag)


def video_page_url(*, url: str) -> str | None:
    """The page of a YouTube or Vimeo video, from any address WordPress embeds; else None.

    A player address (…/embed/ID, player.vimeo.com/video/ID) becomes the video's page:
    a link card sends readers to watch it there, never to a bare player.
    """
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = (parts.hostname or "").removeprefix("www.")
    path = [segment for segment in parts.path.split("/") if segment]
    query = urllib.parse.parse_qs(parts.query)
    if host in _YOUTUBE_HOSTS:
        if path == ["watch"]:
            return url if _YOUTUBE_ID.fullmatch(query.get("v", [""])[0]) else None
        if len(path) == 2 and _YOUTUBE_ID.fullmatch(path[1]) and path[0] in ("shorts", "live"):
            return url
        if len(path) == 2 and _YOUTUBE_ID.fullmatch(path[1]) and path[0] in ("embed", "v"):
            start = (query.get("start") or query.get("t") or [""])[0]
            at = f"&t={start}" if start.isdigit() else ""
            return f"https://www.youtube.com/watch?v={path[1]}{at}"
        return None
    if host == "youtu.be":
        return url if len(path) == 1 and _YOUTUBE_ID.fullmatch(path[0]) else None
    if host == "vimeo.com" and path and any(segment.isdigit() for segment in path[-2:]):
        return url
    if host == "player.vimeo.com" and len(path) == 2 and path[0] == "video" and path[1].isdigit():
        private = query.get("h", [""])[0]
        return f"https://vimeo.com/{path[1]}" + (f"/{private}" if private.isalnum() else "")
    return None


class _Converter:
    def __init__(self, *, attachments: AttachmentIndex, notes: list[str], base_url: str):
        self.attachments = attachments
        self.notes = notes
        self.base_url = base_url
        self.blocks: list[dict] = []
        self.references: list[dict] = []
        self.first_text = ""
        self._rich: list[str] = []
        self._inline: list[str] = []

    # -- collecting ----------------------------------------------------------------

    def flush_inline(self):
        inline = "".join(self._inline).strip()
        self._inline = []
        self._paragraph_add(inline)

    def _paragraph_add(self, content: str):
        """A paragraph, split where a line is only a video's address.

        WordPress shows such a line as the video's player (its "auto-embed") and any
        other lone address as a link; here the video is a link card between the halves.
        """
        lines = []
        for line in re.split(r"<br/>", content):
            url = html.unescape(line.strip())
            if "<" in url or not _LONE_URL.fullmatch(url):
                lines.append(line)
            elif video_page_url(url=url):
                self._paragraph_lines_add(lines)
                lines = []
                self.flush()
                self.embed(url)
            else:
                lines.append(f'<a href="{html.escape(url)}">{html.escape(url, quote=False)}</a>')
        self._paragraph_lines_add(lines)

    def _paragraph_lines_add(self, lines: list[str]):
        content = re.sub(r"^(?:\s*<br/>)+|(?:<br/>\s*)+$", "", "<br/>".join(lines).strip())
        if re.sub(r"<br/>|\s", "", content):
            self._rich_add(f"<p>{content.strip()}</p>")

    def flush(self):
        self.flush_inline()
        if self._rich:
            value = rich_text_clean(html_text="".join(self._rich))
            self._rich = []
            if text_plain(html_text=value):
                self.blocks.append({"type": "paragraph", "value": value})

    def _rich_add(self, fragment: str):
        if not self.first_text:
            self.first_text = text_plain(html_text=fragment)
        self._rich.append(fragment)

    def note(self, message: str):
        self.notes.append(message)

    # -- walking -------------------------------------------------------------------

    def walk(self, container):
        nodes = list(container.children)
        index = 0
        while index < len(nodes):
            node = nodes[index]
            index += 1
            if isinstance(node, NavigableString):
                if type(node) is NavigableString:
                    self._inline.append(html.escape(str(node), quote=False))
                continue
            if not isinstance(node, Tag):
                continue
            self._unsafe_attributes(node)
            if node.name in HEADINGS or node.name == "p":
                end = self._references_take(nodes=nodes, start=index - 1)
                if end is not None:
                    index = end
                    continue
            self.block(node)

    def _references_take(self, *, nodes: list, start: int) -> int | None:
        """The post's first references section, if `nodes[start]` heads it: where it ends."""
        if self.references:
            return None
        section = references_section(nodes=nodes, start=start, notes=self.notes)
        if section is None:
            return None
        self.flush()
        self.references = section.references
        return section.end

    def block(self, node: Tag):
        name = node.name
        if name in DROPPED_TAGS:
            self.note(_("removed <%(tag)s>") % {"tag": name})
        elif name in INLINE_TAGS or name == "img":
            media = self._media_take(node)
            if name != "img":
                self._inline.append(self.inline(node))
            self._media_add(media)
        elif name in HEADINGS:
            self.heading(node)
        elif name == "p":
            self.flush_inline()
            media = self._media_take(node)
            self._paragraph_add(self.inline_children(node))
            self._media_add(media)
        elif name in ("ul", "ol"):
            self.flush_inline()
            media = self._media_take(node)
            self._rich_add(self.list_html(node))
            self._media_add(media)
        elif name == "blockquote":
            self.flush()
            media = self._media_take(node)
            self.quote(node)
            self._media_add(media)
        elif name == "figure":
            self.flush_inline()
            self.figure(node)
        elif name == "hr":
            self.flush()
        elif name == "pre":
            self.flush_inline()
            lines = [html.escape(line) for line in node.get_text().strip("\n").split("\n")]
            self._rich_add("<p>" + "<br/>".join(lines) + "</p>")
        elif name == "table":
            self.flush_inline()
            self.table(node)
        elif name == "iframe":
            self._media_add([(node, "")])
        elif name in ("video", "audio"):
            self.flush()
            source = node.find("source")
            self.embed(node.get("src") or (source.get("src", "") if source else ""))
        elif name == "dt":
            self.flush_inline()
            self._rich_add(f"<p><b>{self.inline_children(node)}</b></p>")
        elif name in ("dd", "figcaption", "address", "caption", "summary"):
            self.flush_inline()
            self._rich_add(f"<p>{self.inline_children(node)}</p>")
        else:
            # div, section, article, details, center…: their content counts, not them.
            self.flush_inline()
            self.walk(node)

    def _unsafe_attributes(self, node: Tag):
        if any(attribute.lower().startswith("on") for attribute in node.attrs):
            self.note(_("removed event-handler attributes (on…)"))

    def _media_take(self, node: Tag) -> list[tuple[Tag, str]]:
        """Pull images and frames out of a paragraph, list or quotation: they become blocks
        of their own after it."""
        found = [node] if node.name in ("img", "iframe") else node.find_all(["img", "iframe"])
        for medium in found:
            if medium is not node:
                medium.extract()
        return [(medium, "") for medium in found]

    # -- inline rich text ----------------------------------------------------------

    def inline_children(self, node: Tag) -> str:
        return "".join(self.inline(child) for child in node.children).strip()

    def inline(self, node) -> str:
        if isinstance(node, Comment):
            return ""
        if isinstance(node, NavigableString):
            return html.escape(str(node), quote=False) if type(node) is NavigableString else ""
        self._unsafe_attributes(node)
        name = node.name
        if name in DROPPED_TAGS:
            self.note(_("removed <%(tag)s>") % {"tag": name})
            return ""
        if name == "br":
            return "<br/>"
        if name == "img":
            return ""
        if name == "iframe":
            # Where no block can go (a table cell, a caption): named, not kept.
            self._frame_removed(node)
            return ""
        if name == "sup":
            number = node.get_text().strip().strip("[]")
            if number.isdigit() and len(number) <= 3:
                return f"[{number}]"
        if name in ("ul", "ol"):
            return self.list_html(node)
        inner = "".join(self.inline(child) for child in node.children)
        if name in ("b", "strong") and inner.strip():
            return f"<b>{inner}</b>"
        if name in ("i", "em") and inner.strip():
            return f"<i>{inner}</i>"
        if name == "a":
            return self.link(node, inner)
        if name in ("p", "div", "li", "blockquote") and inner:
            return inner + "<br/>"
        return inner

    def link(self, node: Tag, inner: str) -> str:
        href = (node.get("href") or "").strip()
        if not inner.strip():
            return ""
        if not href:
            return inner
        attachment = self.attachments.find(href) if self._is_upload(href) else None
        if attachment is not None:
            if attachment.wp_id in self.attachments.available and attachment.kind == "document":
                placeholder = ATTACHMENT_PLACEHOLDER.format(attachment.wp_id)
                return f'<a linktype="document" id="{placeholder}">{inner}</a>'
            if attachment.wp_id not in self.attachments.available:
                self.note(
                    _("link to the upload %(url)s kept as it was: the file was not imported")
                    % {"url": href}
                )
        scheme = urllib.parse.urlsplit(href).scheme.lower()
        if scheme and scheme not in SAFE_SCHEMES:
            self.note(_("removed a %(scheme)s: link") % {"scheme": scheme})
            return inner
        return f'<a href="{html.escape(href)}">{inner}</a>'

    def _is_upload(self, url: str) -> bool:
        return "/wp-content/uploads/" in url or (
            bool(self.base_url) and url.startswith(self.base_url)
        )

    def list_html(self, node: Tag) -> str:
        tag = "ol" if node.name == "ol" else "ul"
        items = []
        for item in node.find_all("li", recursive=False):
            parts = []
            for child in item.children:
                if _is_tag(child) and child.name in ("ul", "ol"):
                    parts.append(self.list_html(child))
                elif _is_tag(child) and child.name == "p":
                    parts.append(self.inline_children(child))
                else:
                    parts.append(self.inline(child))
            content = re.sub(r"(<br/>\s*)+$", "", "".join(parts).strip())
            if content:
                items.append(f"<li>{content}</li>")
        return f"<{tag}>{''.join(items)}</{tag}>" if items else ""

    # -- blocks --------------------------------------------------------------------

    def heading(self, node: Tag):
        self.flush()
        text = text_plain(html_text=node.get_text(" "))
        if len(text) > HEADING_LIMIT:
            # Too long for the heading block: bold text keeps every word and its emphasis.
            self.note(
                _("a heading longer than %(limit)s characters is now a bold paragraph: %(text)s")
                % {"limit": HEADING_LIMIT, "text": text}
            )
            self._rich_add(f"<p><b>{html.escape(text, quote=False)}</b></p>")
        elif text:
            level = "h2" if node.name in ("h1", "h2") else "h3"
            self.blocks.append({"type": "heading", "value": {"text": text, "level": level}})

    def quote(self, node: Tag):
        cite = node.find(["cite", "footer"])
        attribution = ""
        source_url = node.get("cite", "")
        if cite is not None:
            attribution = text_plain(html_text=cite.get_text(" "))
            cite_link = cite.find("a", href=True)
            if cite_link is not None and not source_url:
                source_url = cite_link["href"]
            cite.extract()
        if urllib.parse.urlsplit(source_url.strip()).scheme not in ("http", "https"):
            source_url = ""
        paragraphs = [words(p.get_text(" ")) for p in node.find_all("p")]
        paragraphs = [p for p in paragraphs if p] or [words(node.get_text(" "))]
        text = "\n\n".join(text_plain(html_text=p) for p in paragraphs if p)
        if text:
            self.blocks.append(
                {
                    "type": "quote",
                    "value": {
                        "text": text,
                        "attribution": attribution,
                        "source_url": source_url.strip(),
                    },
                }
            )

    def figure(self, node: Tag):
        classes = " ".join(node.get("class", []))
        if "wp-block-embed" in classes:
            self.flush()
            self.figure_embed(node)
            return
        nested = node.find_all("figure")
        if nested:
            for child in nested:
                if child.find("figure") is None:
                    self.figure(child)
            return
        images = node.find_all("img")
        if not images:
            self.walk(node)
            return
        caption_node = node.find("figcaption")
        caption = text_plain(html_text=caption_node.get_text(" ")) if caption_node else ""
        self._media_add(
            [(image, caption if position == 0 else "") for position, image in enumerate(images)]
        )

    def figure_embed(self, node: Tag):
        """A block-editor embed or `[embed]`: the address, the caption as its description."""
        wrapper = node.find(class_="wp-block-embed__wrapper") or node
        caption_node = node.find("figcaption")
        caption = text_plain(html_text=caption_node.get_text(" ")) if caption_node else ""
        if caption_node is not None:
            caption_node.extract()
        url = wrapper.get_text().strip()
        frame = node.find("iframe")
        if not url and frame is not None:
            self._media_add([(frame, "")])
        else:
            self.embed(url, description=caption)

    def _media_add(self, media: list[tuple[Tag, str]]):
        """Images and frames taken out of rich text end the paragraph only if they stay."""
        blocks = [
            self._frame_block(medium)
            if medium.name == "iframe"
            else self._image_block(medium, caption=caption)
            for medium, caption in media
        ]
        blocks = [block for block in blocks if block is not None]
        if blocks:
            self.flush()
            self.blocks.extend(blocks)

    def image(self, node: Tag, *, caption: str):
        block = self._image_block(node, caption=caption)
        if block is not None:
            self.blocks.append(block)

    def _image_block(self, node: Tag, *, caption: str) -> dict | None:
        src = (node.get("src") or "").strip()
        attachment = None
        match = _WP_IMAGE_CLASS.search(" ".join(node.get("class", [])))
        if match:
            attachment = self.attachments.get(int(match.group(1)))
        if attachment is None and src:
            attachment = self.attachments.find(src)
        if attachment is None or attachment.kind != "image":
            self.note(
                _("image left out: %(src)s is not one of the export's images")
                % {"src": src[:120] or "?"}
            )
            return None
        if attachment.wp_id not in self.attachments.available:
            self.note(
                _("image left out: %(file)s was not imported (give --uploads)")
                % {"file": attachment.relative_path or attachment.url}
            )
            return None
        alt = (
            text_plain(html_text=node.get("alt", ""))
            or attachment.alt
            or caption
            or attachment.title
            or attachment.relative_path
        )
        return {
            "type": "image",
            "value": {
                "image": ATTACHMENT_PLACEHOLDER.format(attachment.wp_id),
                "alt_text": text_fit(
                    text=alt,
                    limit=ALT_LIMIT,
                    what=_("an image's alternative text"),
                    notes=self.notes,
                ),
                "caption": text_fit(
                    text=caption,
                    limit=CAPTION_LIMIT,
                    what=_("an image's caption"),
                    notes=self.notes,
                ),
            },
        }

    def embed(self, url: str, *, title: str = "", description: str = ""):
        block = self._embed_block(url, title=title, description=description)
        if block is not None:
            self.blocks.append(block)

    def _embed_block(self, url: str, *, title: str = "", description: str = "") -> dict | None:
        """A link card: Vigil never loads another site's player (readers would be seen)."""
        url = html.unescape(url.strip())
        url = video_page_url(url=url) or url
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            if url:
                self.note(_("embed left out: %(url)s is not a web address") % {"url": url[:120]})
            else:
                self.note(_("embed left out: it has no web address"))
            return None
        host = parts.netloc.lower().removeprefix("www.")
        self.note(
            _("embedded %(url)s is now a link card (nothing loads from %(host)s)")
            % {"url": url, "host": host}
        )
        what = _("the title of the link card for %(url)s") % {"url": url}
        title = text_fit(text=title or host, limit=EMBED_TITLE_LIMIT, what=what, notes=self.notes)
        return {"type": "embed", "value": {"url": url, "title": title, "description": description}}

    def _frame_block(self, frame: Tag) -> dict | None:
        """A YouTube or Vimeo player as a link card to the video; any other frame removed."""
        src = html.unescape((frame.get("src") or frame.get("data-src") or "").strip())
        if src.startswith("//"):
            src = "https:" + src  # old oEmbed HTML wrote players protocol-relative
        if video_page_url(url=src):
            title = text_plain(html_text=frame.get("title", ""))
            return self._embed_block(src, title=title)
        self._frame_removed(frame)
        return None

    def _frame_removed(self, frame: Tag):
        src = (frame.get("src") or frame.get("data-src") or "").strip()
        host = urllib.parse.urlsplit("https:" + src if src.startswith("//") else src).hostname
        if host:
            self.note(_("removed an embedded frame from %(host)s") % {"host": host})
        else:
            self.note(_("removed an embedded frame with no web address"))

    def table(self, node: Tag):
        self.note(_("table turned into text, one paragraph a row"))
        for row in node.find_all("tr"):
            cells = [
                self.inline_children(cell) for cell in row.find_all(["td", "th"], recursive=False)
            ]
            cells = [c for c in cells if c]
            if cells:
                self._rich_add("<p>" + " | ".join(cells) + "</p>")
