"""Properties of the repairs that read broken headers and unknown charsets: whatever bytes a
header holds, reading the mail (and taking it in) never raises, and repairs never touch the
body or a well-formed mail."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.mail.test_parsing_properties import CHARSET_NAMES, FAST, assert_parses_or_refuses
from tickets.mail.charsets import decode_text
from tickets.mail.encoded_words import (
    encoded_words_decoded,
    encoded_words_normalized,
    extended_parameters_decoded,
)
from tickets.mail.header_block import header_block_repaired
from tickets.mail.intake import inbound_receive
from tickets.models import InboundEmail

NAMES = st.sampled_from(
    [b"From", b"Sender", b"Reply-To", b"To", b"Subject", b"Content-Type", b"Content-Disposition",
     b"X-Junk", b"From ", b"", b" ", b"\t", b"Fr\xf6m", b":"]
)  # fmt: skip
ENCODED_WORDS = st.builds(
    lambda charset, kind, payload: b"=?" + charset + b"?" + kind + b"?" + payload + b"?=",
    CHARSET_NAMES.map(lambda name: name.encode("ascii")),
    st.sampled_from([b"b", b"Q", b"x"]),
    st.binary(max_size=20).map(lambda data: data.replace(b"?", b"").replace(b" ", b"")),
)
PIECES = st.sampled_from(
    [b"<a@b.com.>", b"a@b (Marc Smith)", b"Name a@b.com", b'"x@y.z" <>', b"<>", b"(", b")",
     b"\"", b";", b"filename*0*=gb2312''%D6%D0", b"filename*1*=%CE", b"name*=x''%FF",
     b"\r\n", b"\n", b"\r\n ", b"\xd6\xd0\xce\xc4", b"\xc3", b"\xe4", b"\x00"]
) | st.binary(max_size=30) | ENCODED_WORDS  # fmt: skip
VALUES = st.lists(PIECES, max_size=8).map(b" ".join)


@FAST
@given(st.lists(st.tuples(NAMES, VALUES), max_size=12), st.binary(max_size=200))
def test_any_header_bytes_parse_or_are_refused(fields, body):
    raw = b"".join(name + b": " + value + b"\r\n" for name, value in fields)
    assert_parses_or_refuses(raw + b"\r\n" + body)


@FAST
@given(st.lists(st.one_of(VALUES, st.tuples(NAMES, VALUES).map(b": ".join)), max_size=12))
def test_any_header_lines_parse_or_are_refused(lines):
    assert_parses_or_refuses(b"\n".join(lines) + b"\n\nbody\n")


HEADER_LINES = st.lists(
    st.binary(min_size=1, max_size=60).filter(lambda line: not (set(line) & set(b"\r\n"))),
    min_size=1,
    max_size=10,
)


@FAST
@given(HEADER_LINES, st.binary(max_size=200))
def test_header_repair_keeps_the_body_and_never_raises(head, body):
    """Whatever the lines before the first blank line, what follows it is never touched."""
    raw = b"X-First: 1\r\n" + b"\r\n".join(head) + b"\r\n\r\n" + body
    repaired = header_block_repaired(raw)
    assert repaired.endswith(body)
    assert header_block_repaired(repaired) == repaired  # a repaired block needs no more


@FAST
@given(st.lists(st.sampled_from([b"From: a@b.c", b"Subject: x", b"To: c@d.e", b" folded"])))
def test_a_well_formed_header_block_is_not_touched(lines):
    raw = b"".join(line + b"\r\n" for line in lines) + b"\r\nbody"
    assert header_block_repaired(raw) is raw


@FAST
@given(st.binary(max_size=300), CHARSET_NAMES | st.none())
def test_any_bytes_in_any_label_decode_to_valid_text(raw, charset):
    text, _codec = decode_text(raw, charset=charset)
    text.encode("utf-8")  # no lone surrogates
    try:
        expected = raw.decode("utf-8")
    except UnicodeDecodeError:
        return
    if charset in (None, "utf-8", "us-ascii", ""):
        assert text == expected  # UTF-8 is never second-guessed


@FAST
@given(st.text(max_size=200) | VALUES.map(lambda v: v.decode("utf-8", "surrogateescape")))
def test_encoded_words_and_rfc2231_readers_never_raise(value):
    for read in (encoded_words_decoded, encoded_words_normalized, extended_parameters_decoded):
        assert isinstance(read(value, charset="koi8-r"), str)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fields=st.lists(st.tuples(NAMES, VALUES), max_size=8))
def test_the_intake_records_any_header_bytes_and_never_raises(fields, department):
    raw = b"".join(name + b": " + value + b"\r\n" for name, value in fields) + b"\r\nHello\r\n"

    result = inbound_receive(raw=raw, channel="webhook", mailbox=None)

    assert result.inbound.pk is not None
    assert result.inbound.status != InboundEmail.Status.RECEIVED
