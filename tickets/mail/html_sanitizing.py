"""Showing a stranger's HTML mail safely, and reading it as plain text.

The allowlist keeps what carries meaning in a support mail (paragraphs, lists, quotes, tables,
links, images the mail itself carries) and drops everything that can run code, restyle the page
around it or tell the sender that the mail was opened: scripts, styles, frames, forms, event
handlers, and remote images (tracking pixels) unless the caller asks for them."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

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
# In the sanitiser's own output: every attribute double-quoted, "<" and quotes escaped.
_REMOTE_IMG = re.compile(r'<img [^>]*?src="https?:', re.IGNORECASE)


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

# --- HTML kept for display -----------------------------------------------------------------------
# What the ticket page shows of a mail's HTML, in a sandboxed frame with its own CSP (no script,
# no request but to the helpdesk itself unless the tech asks for remote images): the allowlist
# above plus the layout newsletters are made of (presentational attributes, a filtered inline
# style, <font> and <center>). Remote image sources are kept in what is stored and dropped when
# the frame is rendered (`html_for_frame`), so a tech can choose to load them.
DISPLAY_TAGS = ALLOWED_TAGS | {"font", "center"}
_LAYOUT = {"align", "width", "height", "bgcolor", "valign", "border", "style"}
DISPLAY_ATTRIBUTES = {
    "*": {"dir", "style", "align"},
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "border", "align"},
    "ol": {"start"},
    "table": _LAYOUT | {"cellpadding", "cellspacing"},
    "td": _LAYOUT | {"colspan", "rowspan", "nowrap"},
    "th": _LAYOUT | {"colspan", "rowspan", "nowrap"},
    "tr": _LAYOUT,
    "col": {"width", "span"},
    "colgroup": {"width", "span"},
    "font": {"color", "face", "size"},
}
# Inline style properties that lay text out; none can hold a URL (background-image, cursor,
# list-style-image, border-image are left out) nor escape the frame's box (position, z-index).
DISPLAY_STYLE_PROPERTIES = frozenset(
    {
        "color", "background-color", "font", "font-family", "font-size", "font-style",
        "font-weight", "text-align", "text-decoration", "text-transform", "text-indent",
        "line-height", "letter-spacing", "word-spacing", "vertical-align", "white-space",
        "direction", "display", "float", "clear", "width", "min-width", "max-width", "height",
        "min-height", "max-height", "margin", "margin-top", "margin-right", "margin-bottom",
        "margin-left", "padding", "padding-top", "padding-right", "padding-bottom",
        "padding-left", "border", "border-top", "border-right", "border-bottom", "border-left",
        "border-color", "border-style", "border-width", "border-collapse", "border-spacing",
        "border-radius", "table-layout", "list-style-type", "overflow-wrap", "word-break",
    }
)  # fmt: skip
# A style value that could fetch or run anything is dropped whole: url(), IE's expression(),
# escapes that could spell either, and imports.
_HOSTILE_STYLE = re.compile(r"url\s*\(|expression|@import|javascript:|\\|/\*", re.IGNORECASE)


def _display_attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "style":
        return None if _HOSTILE_STYLE.search(value) else value
    if attribute in ("src", "href"):
        return _attribute_filter(allow_remote_images=True)(tag, attribute, value)
    return value


def _display_cleaner(*, attribute_filter, url_relative, **extra) -> nh3.Cleaner:
    """The display rules (tags, attributes, filtered styles, schemes) with a filter of
    attributes and of relative URLs: the one that stores a mail's HTML, the one for its frame."""
    return nh3.Cleaner(
        tags=set(DISPLAY_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in DISPLAY_ATTRIBUTES.items()},
        attribute_filter=attribute_filter,
        filter_style_properties=set(DISPLAY_STYLE_PROPERTIES),
        url_schemes={"http", "https", "mailto", "cid"},
        url_relative=url_relative,
        link_rel=LINK_REL,
        strip_comments=True,
        **extra,
    )


_DISPLAY_CLEANER = _display_cleaner(attribute_filter=_display_attribute_filter, url_relative="deny")


# html5ever, under nh3, takes time quadratic in some shapes of input: nesting depth (100,000
# nested <div>s: 40 s), ampersands in one text node or attributes on one tag (1 MB: 10 s). A
# mail can be 25 MB, so the parser gets a bounded input: embedded data: URIs (dropped by the
# allowlist anyway) are emptied first, then the markup is cut at MAX_HTML_LENGTH, and past
# MAX_TAGS tags the rest keeps its text without its markup. Real mail stays far below both
# (Gmail clips HTML at 102 KB); a longer one loses the tail of its HTML (the oldest quoted
# history), never its plain-text part.
MAX_HTML_LENGTH = 512 * 1024
MAX_TAGS = 10_000
_DATA_URI = re.compile(r"data:[^\"'\s>]{256,}", re.IGNORECASE)
_TAG_START = re.compile(r"<[a-zA-Z/!?]")
_TAG = re.compile(r"<[a-zA-Z/!?][^>]*>?")


def _bounded(html: str) -> str:
    html = _DATA_URI.sub("data:", html.replace("\x00", ""))[:MAX_HTML_LENGTH]
    for count, match in enumerate(_TAG_START.finditer(html), start=1):
        if count > MAX_TAGS:
            return html[: match.start()] + _TAG.sub(" ", html[match.start() :])
    return html


def sanitize_html(html: str, *, allow_remote_images: bool = False) -> str:
    """The mail's HTML reduced to the allowlist; remote images lose their source unless allowed
    (the tag stays, with its alt text, so the reader sees that something was held back)."""
    return _CLEANERS[allow_remote_images].clean(_bounded(html))


def sanitize_html_for_display(html: str) -> str:
    """The mail's HTML as stored for display: the allowlist with its layout (see
    DISPLAY_ATTRIBUTES), remote image sources kept for `html_for_frame` to hold back."""
    return _DISPLAY_CLEANER.clean(_bounded(html))


@dataclass(frozen=True)
class FrameHtml:
    html: str
    remote_images: int  # images with a remote source: held back, or shown when asked


def html_for_frame(
    stored_html: str, *, inline_urls: dict[str, str], remote_images: bool
) -> FrameHtml:
    """Stored display HTML made ready for its frame: each "cid:" image pointed at the message's
    own file (`inline_urls`, by Content-ID; an unknown one loses its source), remote images
    without their source unless `remote_images`, and every link opening outside the frame.
    Cleaned again, so HTML stored by an older, looser rule is held to today's."""
    found = 0
    lowered = {content_id.lower(): url for content_id, url in inline_urls.items()}
    own_urls = set(inline_urls.values())

    def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
        nonlocal found
        if tag == "img" and attribute == "src":
            url = value.strip()
            if _INLINE_IMAGE_SCHEME.match(url):
                return lowered.get(unquote(url[4:]).strip("<>").lower())
            if _REMOTE_IMAGE_SCHEMES.match(url):
                found += 1
                return url if remote_images else None
            return None
        return _display_attribute_filter(tag, attribute, value)

    cleaner = _display_cleaner(
        attribute_filter=keep_attribute,
        # "cid:" URLs become the message's own files, served under the page's path: the only
        # relative URLs let through.
        url_relative=lambda url: url if url in own_urls else None,
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )
    html = cleaner.clean(_bounded(stored_html))
    return FrameHtml(html=html, remote_images=found)


def remote_image_count(display_html: str) -> int:
    """How many images of stored display HTML have a remote source (the page offers to show
    them only when there are some)."""
    return len(_REMOTE_IMG.findall(display_html))


# Tags after which the text continues on a new line, as a browser would lay it out.
_BLOCK_TAGS = frozenset(
    {
        "blockquote", "caption", "div", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p",
        "pre", "table", "tr", "ul",
    }
)  # fmt: skip
# Paragraph-like blocks are set apart by an empty line, the way plain-text mail is written.
_PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table"})
_WHITESPACE_RUN = re.compile(r"\s+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


class _TextRenderer(HTMLParser):
    """Writes the sanitiser's output (only allowed tags, always well-formed) as plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[str] = []
        self._line: list[str] = []  # the pieces of the line being written
        self._line_quote_depth = 0  # the quote depth where that line began
        self._quote_depth = 0
        self._pre_depth = 0
        self._list_numbers: list[int | None] = []  # per open list its next number; None: bullets
        self._link: tuple[str, list[str]] | None = None  # an open link's href and its text

    def _end_line(self, *, blank_after: bool = False) -> None:
        if self._line:
            text = "".join(self._line).rstrip()
            self._lines.append("> " * self._line_quote_depth + text if text else "")
            self._line = []
        if blank_after and self._lines and self._lines[-1]:
            self._lines.append("")

    def _write(self, text: str) -> None:
        if not self._line:
            self._line_quote_depth = self._quote_depth
        self._line.append(text)
        if self._link is not None:
            self._link[1].append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not self._line:
            self._lines.append("")  # a line break on an empty line is an empty line
        elif tag == "br":
            self._end_line()
        elif tag in _BLOCK_TAGS:
            self._end_line(blank_after=tag in _PARAGRAPH_TAGS)
        if tag == "blockquote":
            self._quote_depth += 1
        elif tag == "pre":
            self._pre_depth += 1
        elif tag in ("ul", "ol"):
            self._list_numbers.append(1 if tag == "ol" else None)
        elif tag == "li":
            self._write(self._list_marker())
        elif tag in ("td", "th") and self._line:
            self._write("  ")
        elif tag == "a":
            self._link = (dict(attrs).get("href") or "", [])

    def _list_marker(self) -> str:
        if not self._list_numbers:
            return "- "
        indent = "  " * (len(self._list_numbers) - 1)
        number = self._list_numbers[-1]
        if number is None:
            return f"{indent}- "
        self._list_numbers[-1] = number + 1
        return f"{indent}{number}. "

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            href, text = self._link[0], "".join(self._link[1]).strip()
            self._link = None
            # Where a link points matters when its text does not show it ("Reset password").
            if href and href not in (text, f"mailto:{text}"):
                self._write(f" <{href}>")
        if tag in _BLOCK_TAGS:
            self._end_line(blank_after=tag in _PARAGRAPH_TAGS)
        if tag == "blockquote":
            self._quote_depth = max(0, self._quote_depth - 1)
        elif tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)
        elif tag in ("ul", "ol") and self._list_numbers:
            self._list_numbers.pop()

    def handle_data(self, data: str) -> None:
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
        return _MANY_BLANK_LINES.sub("\n\n", "\n".join(self._lines)).strip("\n")


def html_to_text(html: str) -> str:
    """A plain-text reading of HTML: line breaks where blocks end, quotes marked with "> " (so
    quoted history is found as in a plain-text mail), list markers, entities decoded, and a
    link's address after its text when the text does not show it.

    The HTML is sanitised first, so what a reader never sees (scripts, styles, the page title)
    stays out of the text, and the standard library's parser, slow on broken markup, only ever
    reads well-formed input."""
    renderer = _TextRenderer()
    renderer.feed(sanitize_html(html))
    return renderer.text()
