"""Properties that must hold for any input, since anyone on the internet can send us any bytes."""

import email.policy
import re
from email.message import EmailMessage
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tickets.mail.html_sanitizing import html_to_text, sanitize_html
from tickets.mail.parsing import ParsedEmail, UnparseableEmail, parse_email
from tickets.mail.quoting import split_quoted_history

FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _valid_mails() -> list[bytes]:
    alternative = EmailMessage()
    alternative["From"] = "=?utf-8?q?Vera_Petrova?= <vera@example.com>"
    alternative["To"] = "support@helpdesk.example, Boss <boss@example.com>"
    alternative["Subject"] = "Re: [#1042] Принтер"
    alternative["Date"] = "Tue, 02 Jan 2024 10:15:00 +0300"
    alternative["Message-ID"] = "<abc@example.com>"
    alternative["References"] = "<a@x> <b@x>"
    alternative.set_content("Всё ещё не работает.\n\nOn Tue, Support wrote:\n> Restart it.\n")
    alternative.add_alternative('<p>Всё ещё <b>не</b> работает.</p><img src="cid:i@x">', "html")
    alternative.get_payload()[1].add_related(b"\x89PNG", "image", "png", cid="<i@x>")
    alternative.add_attachment(b"%PDF-1.4", "application", "pdf", filename="scan.pdf")
    forwarded = EmailMessage()
    forwarded["From"] = "boss@example.com"
    forwarded["Subject"] = "Fix it"
    forwarded.set_content("Fix it.", charset="koi8-r")
    alternative.add_attachment(forwarded)
    koi8 = (
        "From: Вера <vera@example.ru>\r\nSubject: Счёт\r\n"
        "Content-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Добрый день, счёт во вложении.\r\n"
    ).encode("koi8-r")
    return [alternative.as_bytes(policy=email.policy.SMTP), koi8]


VALID_MAILS = _valid_mails()
CHARSET_NAMES = st.sampled_from(
    [
        "utf-8", "koi8-r", "windows-1251", "iso-8859-5", "x-unknown", "utf-7", "utf-16",
        "unicode_escape", "base64", "rot13", "zlib", "undefined", "idna", "", '"', "\\",
        "us-ascii", "gb2312", "iso-2022-jp", "utf-32",
    ]
) | st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=12)  # fmt: skip
_CHARSET_PARAMETER = re.compile(rb'charset="?[^";\r\n]*"?', re.IGNORECASE)


def assert_parses_or_refuses(raw: bytes) -> ParsedEmail | None:
    """The one contract of parse_email; a parsed mail must also be safe to store and to echo."""
    try:
        parsed = parse_email(raw)
    except UnparseableEmail as error:
        assert error.reason
        return None
    single_line = [parsed.subject, parsed.from_name, *parsed.headers.values()]
    for value in single_line:
        assert not re.search(r"[\x00-\x1f\x7f\x85\u2028\u2029]", value)
    strings = [*single_line, parsed.text, parsed.html, *(a.filename for a in parsed.attachments)]
    for value in strings:
        value.encode("utf-8")  # no lone surrogates: PostgreSQL would refuse them
        assert "\x00" not in value
    assert "@" in parsed.from_address and parsed.from_address == parsed.from_address.lower()
    assert all(address == address.lower() for address in [*parsed.to, *parsed.cc])
    for message_id in [parsed.message_id, *parsed.in_reply_to, *parsed.references]:
        assert message_id == "" or re.fullmatch(r"<[!-;=?-~]+>", message_id)
    assert parsed.date is None or parsed.date.utcoffset().total_seconds() == 0
    assert parsed.size == len(raw)
    return parsed


@FAST
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_parse_or_are_refused(raw):
    assert_parses_or_refuses(raw)


HEADER_NAMES = st.sampled_from(
    [
        "From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To",
        "References", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition",
        "MIME-Version", "Auto-Submitted", "Return-Path", "X-Helpdesk-Loop",
    ]
)  # fmt: skip
HEADER_VALUES = (
    st.text(max_size=60).map(lambda text: text.encode("utf-8", "surrogatepass"))
    | st.binary(max_size=60)
    | st.sampled_from(
        [
            b"vera@example.com", b"<>", b"a@", b"=?utf-8?q?a=0D=0Ab?=", b"=?x-unknown?b?!!?=",
            b"multipart/mixed; boundary=b", b"multipart/alternative", b"text/html; charset=koi8-r",
            b"base64", b"quoted-printable", b"attachment; filename*=utf-8''%FF%FE",
            b"Tue, 02 Jan 2024 10:15:00 +0300", b"<a@b> <c@d>",
        ]
    )
)  # fmt: skip


@FAST
@given(
    headers=st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=10),
    body=st.binary(max_size=500) | st.sampled_from([b"--b\r\n\r\nx\r\n--b--", b"SGVsbG8=\r\n"]),
)
def test_mail_shaped_input_parses_or_is_refused(headers, body):
    raw = b"".join(name.encode() + b": " + value + b"\r\n" for name, value in headers)
    assert_parses_or_refuses(raw + b"\r\n" + body)


@THOROUGH
@given(st.data())
def test_mutated_valid_mails_parse_or_are_refused(data):
    raw = bytearray(data.draw(st.sampled_from(VALID_MAILS)))
    mutation = data.draw(st.sampled_from(["flip", "truncate", "lines", "charset"]))
    if mutation == "flip":
        for _ in range(data.draw(st.integers(1, 20))):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    elif mutation == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    elif mutation == "lines":
        lines = bytes(raw).split(b"\r\n")
        for _ in range(data.draw(st.integers(1, 8))):
            if not lines:
                break
            index = data.draw(st.integers(0, len(lines) - 1))
            if data.draw(st.booleans()):
                del lines[index]
            else:
                lines.insert(index, lines[index])
        raw = bytearray(b"\r\n".join(lines))
    else:
        charset = data.draw(CHARSET_NAMES).encode("ascii")
        replacement = b'charset="' + charset + b'"'
        raw = bytearray(_CHARSET_PARAMETER.sub(lambda _match: replacement, bytes(raw)))
    assert_parses_or_refuses(bytes(raw))


def test_unmutated_valid_mails_parse():
    for raw in VALID_MAILS:
        assert assert_parses_or_refuses(raw) is not None


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


HTML_FRAGMENTS = st.sampled_from(
    [
        "<script>", "</script>", "<scr", "ipt>", "<img src=x onerror=alert(1)>", "<a href=",
        '"javascript:alert(1)"', "'", '"', ">", "<", "/", "<svg/onload=alert(1)>", "&#106;",
        "java\tscript:", "<style>", "<iframe src=//x>", "<!--", "-->", "<![CDATA[", "]]>",
        "<math><mi xlink:href=javascript:1>", " onmouseover=", "<p ", "data:text/html,",
        "<a href=\"jav&#x09;ascript:x\">", "<object data=x>", "<base href=javascript:/>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    ]
)  # fmt: skip


@THOROUGH
@given(st.lists(HTML_FRAGMENTS | st.text(max_size=20), max_size=30).map("".join) | st.text())
def test_sanitised_html_never_carries_script(html):
    """No <script (text is escaped, so every "<" left starts an allowed tag), no event handler
    attribute, and no link or image source with a scheme that runs code or embeds a document.
    Text such as "onclick=" or "javascript:" may stay: as escaped text it runs nothing."""
    for allow_remote_images in (False, True):
        cleaned = sanitize_html(html, allow_remote_images=allow_remote_images)
        assert "<script" not in cleaned.lower()
        collector = _TagCollector()
        collector.feed(cleaned)
        for tag, attributes in collector.tags:
            assert tag not in {"script", "style", "iframe", "object", "embed", "form", "svg"}
            for name, value in attributes:
                assert not name.startswith("on")
                if name in {"href", "src"}:
                    scheme = re.sub(r"\s", "", value or "").lower()
                    assert re.match(r"(https?|mailto|cid):", scheme)
        html_to_text(cleaned)


@FAST
@given(st.text())
def test_html_to_text_reads_anything(html):
    assert isinstance(html_to_text(html), str)


QUOTE_LINES = st.sampled_from(
    [
        "", " ", "> quoted", ">", "-- ", "On Tue, Jan 2, 2024 at 10:15 AM Support <",
        "support@helpdesk.example> wrote:", "On 1/2/24, Vera wrote:", "-----Original Message-----",
        "From: Support", "Sent: Tuesday", "To: Vera", "Subject: Printer", "_" * 32,
        "вт, 2 янв. 2024 г. в 10:15, Поддержка <support@helpdesk.example>:", "Иван пишет:",
        "02.01.2024 10:15, Поддержка пишет:", "Thanks!", "\r", "\t> indented quote",
    ]
)  # fmt: skip


def _visible(text: str) -> str:
    return "".join(character for character in text if not character.isspace())


@THOROUGH
@given(st.lists(QUOTE_LINES | st.text(max_size=40), max_size=25).map("\n".join) | st.text())
def test_split_quoted_history_loses_nothing(text):
    """new + history hold every non-whitespace character of the mail, in order; the new text
    is empty only when the mail is blank, and there is no history without new text."""
    new, history = split_quoted_history(text)

    assert _visible(new) + _visible(history) == _visible(text)
    assert bool(_visible(new)) == bool(_visible(text))
    assert not history or new
