"""Showing a stranger's HTML mail safely, and reading it as plain text.

The allowlist keeps what carries meaning in a support mail (paragraphs, lists, quotes, tables,
links, images the mail itself carries) and drops everything that can run code, restyle the page
around it or tell the sender that the mail was opened: scripts, styles, frames, forms, event
handlers, and remote images (tracking pixels) unless the caller asks for them."""

import re
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "div", "span", "b", "strong", "i", "em", "u", "s", "sub", "sup", "small",
        "ul", "ol", "li", "blockquote", "pre", "code", "a", "img", "hr",
        "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
        "h1", "h2", "h3", "h4", "h5", "h6",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"dir"},  # right-to-left scripts read wrongly without it
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# Their text is not part of the message: code, CSS, a page title, a frame's fallback.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "title", "iframe", "object", "embed", "noscript", "template", "svg", "math"}
)
LINK_REL = "noopener noreferrer nofollow"
_LINK_SCHEMES = re.compile(r"(?:https?|mailto):", re.IGNORECASE)
_REMOTE_IMAGE_SCHEMES = re.compile(r"https?:", re.IGNORECASE)
_INLINE_IMAGE_SCHEME = re.compile(r"cid:", re.IGNORECASE)


def _attribute_filter(*, allow_remote_images: bool):
    def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
        url = value.strip()
        if tag == "a" and attribute == "href":
            return url if _LINK_SCHEMES.match(url) else None
        if tag == "img" and attribute == "src":
            if _INLINE_IMAGE_SCHEME.match(url):
                return url
            if allow_remote_images and _REMOTE_IMAGE_SCHEMES.match(url):
                return url
            return None
        return value

    return keep_attribute


def _cleaner(*, allow_remote_images: bool) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter(allow_remote_images=allow_remote_images),
        url_schemes={"http", "https", "mailto", "cid"},
        # A relative link in a mail would resolve against the helpdesk itself.
        url_relative="deny",
        link_rel=LINK_REL,
        strip_comments=True,
    )


_CLEANERS = {
    allow_remote: _cleaner(allow_remote_images=allow_remote) for allow_remote in (False, True)
}


# html5ever's time grows with the square of nesting depth (100,000 nested <div>s: 40 s), and a
# mail can nest as deep as it has tags. Ten thousand is more than any real newsletter uses.
MAX_TAGS = 10_000
_TAG_START = re.compile(r"<[a-zA-Z/!?]")
_TAG = re.compile(r"<[a-zA-Z/!?][^>]*>?")


def _tags_bounded(html: str) -> str:
    """Past MAX_TAGS tags the rest keeps its text and loses its markup."""
    for count, match in enumerate(_TAG_START.finditer(html), start=1):
        if count > MAX_TAGS:
            return html[: match.start()] + _TAG.sub(" ", html[match.start() :])
    return html


def sanitize_html(html: str, *, allow_remote_images: bool = False) -> str:
    """The mail's HTML reduced to the allowlist; remote images lose their source unless allowed
    (the tag stays, with its alt text, so the reader sees that something was held back)."""
    return _CLEANERS[allow_remote_images].clean(_tags_bounded(html.replace("\x00", "")))


# Tags after which the text continues on a new line, as a browser would lay it out.
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
    }
)  # fmt: skip
# Paragraph-like blocks are separated by an empty line, the way plain-text mail is written.
_PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table"})
_INVISIBLE_TAGS = frozenset({"head", "script", "style", "title", "template", "noscript"})
_WHITESPACE_RUN = re.compile(r"\s+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


class _TextRenderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._line_quote_depth = 0
        self._quote_depth = 0
        self._invisible_depth = 0
        self._pre_depth = 0
        self._lists: list[list] = []  # [tag, next item number]
        self._link_href: str | None = None
        self._link_text: list[str] = []

    def _end_line(self, *, blank_after: bool = False) -> None:
        if self._line:
            text = "".join(self._line).rstrip()
            self.lines.append("> " * self._line_quote_depth + text if text else "")
            self._line = []
        if blank_after and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def _write(self, text: str) -> None:
        if not self._line:
            self._line_quote_depth = self._quote_depth
        self._line.append(text)
        if self._link_href is not None:
            self._link_text.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE_TAGS:
            self._invisible_depth += 1
        elif tag == "br":
            if self._line:
                self._end_line()
            else:
                self.lines.append("")
        elif tag in _BLOCK_TAGS:
            self._end_line(blank_after=tag in _PARAGRAPH_TAGS)
        if tag == "blockquote":
            self._quote_depth += 1
        elif tag == "pre":
            self._pre_depth += 1
        elif tag in ("ul", "ol"):
            self._lists.append([tag, 1])
        elif tag == "li":
            self._write(self._list_marker())
        elif tag in ("td", "th") and self._line:
            self._write("  ")
        elif tag == "a":
            self._link_href = dict(attrs).get("href") or ""
            self._link_text = []

    def _list_marker(self) -> str:
        if not self._lists:
            return "- "
        kind_and_number = self._lists[-1]
        indent = "  " * (len(self._lists) - 1)
        if kind_and_number[0] == "ol":
            kind_and_number[1] += 1
            return f"{indent}{kind_and_number[1] - 1}. "
        return f"{indent}- "

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img", "col"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE_TAGS:
            self._invisible_depth = max(0, self._invisible_depth - 1)
            return
        if tag == "a" and self._link_href is not None:
            href, text = self._link_href, "".join(self._link_text).strip()
            self._link_href = None
            # Keep where a link pointed when its text does not say it.
            if href and _LINK_SCHEMES.match(href) and href not in (text, f"mailto:{text}"):
                self._write(f" <{href}>")
        if tag in _BLOCK_TAGS:
            self._end_line(blank_after=tag in _PARAGRAPH_TAGS)
        if tag == "blockquote":
            self._quote_depth = max(0, self._quote_depth - 1)
        elif tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()

    def handle_data(self, data: str) -> None:
        if self._invisible_depth:
            return
        if self._pre_depth:
            first, *rest = data.split("\n")
            self._write(first)
            for line in rest:
                self._end_line()
                self._write(line)
            return
        text = _WHITESPACE_RUN.sub(" ", data)
        if not self._line:
            text = text.lstrip()
        if text:
            self._write(text)

    def text(self) -> str:
        self.close()
        self._end_line()
        return _MANY_BLANK_LINES.sub("\n\n", "\n".join(self.lines)).strip("\n")


def html_to_text(html: str) -> str:
    """A plain-text reading of HTML: line breaks where blocks end, quotes marked with "> " (so
    quoted history is found as in a plain-text mail), list markers, entities decoded, and a
    link's address after its text when the text does not show it.

    The HTML is sanitised first: what a reader never sees (scripts, styles, the page title)
    stays out of the text, and the standard parser, slow on broken markup (quadratic on
    unclosed tags), only ever reads the sanitiser's well-formed output."""
    renderer = _TextRenderer()
    renderer.feed(sanitize_html(html))
    return renderer.text()
