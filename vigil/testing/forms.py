"""The inputs of a page's form, for clients that post forms without a browser.

Imported by benches too, so it does not need Django set up in this process.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._inputs: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inputs = {}
            self.forms.append((attrs.get("action") or "", self._inputs))
        elif tag == "input" and self._inputs is not None and attrs.get("name"):
            self._inputs[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._inputs = None


def form_inputs(html: str, action: str) -> dict[str, str] | None:
    """The inputs of the page's form that posts to `action` (a path), or None."""
    parser = _Forms()
    parser.feed(html)
    for form_action, inputs in parser.forms:
        if urlsplit(form_action).path == action:
            return inputs
    return None
