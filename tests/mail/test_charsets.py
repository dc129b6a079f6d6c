"""Mail text in whatever charset it came in: declared and fitting, undeclared, or mislabelled."""

import pytest

from tickets.mail import charsets
from tickets.mail.charsets import codec_for, decode_text
from tickets.mail.encoded_words import (
    encoded_words_decoded,
    encoded_words_normalized,
    extended_parameters_decoded,
)
from tickets.mail.parsing import parse_email

# Short texts as they come in subjects, names and file names: what detection must get right
# although they are far too short for statistics.
SHORT_TEXTS = [
    ("Счёт", "koi8-r"), ("Счёт", "cp1251"), ("Вера", "koi8-r"), ("Вера", "cp1251"),
    ("Привет мир", "koi8-r"), ("Привет мир", "cp1251"), ("Ольга Соколова", "koi8-u"),
    ("Рахунок-фактура", "cp1251"), ("Їжак", "cp1251"), ("Їжак", "koi8-u"),
    ("Добрий день! Принтер не друкує після оновлення. Що робити?", "cp1251"),
    ("Добрий день! Принтер не друкує після оновлення. Що робити?", "koi8-u"),
    ("請求書", "shift_jis"), ("見積書.pdf", "shift_jis"), ("テスト", "shift_jis"),
    ("こんにちは、プリンターが動きません。", "shift_jis"),
    ("發票", "gbk"), ("发票", "gbk"), ("中文附件.doc", "gbk"), ("报价单.xlsx", "gbk"),
    ("打印机坏了，请帮忙修理。谢谢！", "gbk"),
    ("Hofjägerallee.jpg", "latin-1"), ("Grüße aus München", "cp1252"), ("Ñandú", "latin-1"),
    ("Ærøskøbing", "latin-1"), ("Zażółć gęślą jaźń", "cp1250"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "charset"), SHORT_TEXTS)
def test_short_undeclared_text_is_read_in_the_charset_it_was_written_in(text, charset):
    assert decode_text(text.encode(charset))[0] == text


@pytest.mark.parametrize(("text", "charset"), SHORT_TEXTS)
def test_short_text_in_a_lying_label_is_read_right(text, charset):
    assert decode_text(text.encode(charset), charset="utf-8")[0] == text
    assert decode_text(text.encode(charset), charset="us-ascii")[0] == text


def test_a_declared_charset_that_fits_is_believed_over_detection():
    # KOI8-R bytes declared as windows-1251 read as windows-1251: the label is what a mail
    # client follows, and detection on a few words would be a guess.
    raw = "Привет".encode("koi8-r")

    assert decode_text(raw, charset="cp1251") == (raw.decode("cp1251"), "cp1251")
    assert decode_text(raw, charset="koi8-r") == ("Привет", "koi8-r")


def test_shift_jis_labelled_iso_2022_jp_is_detected():
    raw = "見積書の件".encode("shift_jis")

    assert decode_text(raw, charset="ISO-2022-JP") == ("見積書の件", "cp932")


def test_gb2312_is_read_as_gb18030():
    assert codec_for("GB2312") == "gb18030"
    assert decode_text("發票測試".encode("gbk"), charset="gb2312")[0] == "發票測試"


def test_utf8_with_a_damaged_byte_stays_utf8():
    raw = "Привет, как дела? Всё хорошо.".encode() + b"\xff"

    text, codec = decode_text(raw)

    assert codec == "utf-8"
    assert text.startswith("Привет, как дела? Всё хорошо.")


def test_ascii_and_utf8_never_run_the_detector(monkeypatch):
    """Detection costs milliseconds; the usual mail must not pay it (intake >= 200 mails/s)."""

    def detector_called(*args, **kwargs):
        raise AssertionError("detection ran on ASCII or UTF-8")

    monkeypatch.setattr(charsets, "from_bytes", detector_called)
    monkeypatch.setattr(charsets, "detect_charset", detector_called)
    charsets._detected.cache_clear()

    assert decode_text(b"plain ascii") == ("plain ascii", "ascii")
    assert decode_text("Grüße, Вера, 中文".encode(), charset="us-ascii")[0] == "Grüße, Вера, 中文"
    assert decode_text("Grüße".encode(), charset="utf-8") == ("Grüße", "utf-8")
    parse_email("From: Вера <vera@example.org>\r\nSubject: Привет\r\n\r\nВсё хорошо.\r\n".encode())


@pytest.mark.parametrize("charset", ["base64", "rot13", "unicode_escape", "x-unknown", "", None])
def test_labels_that_name_no_charset_are_ignored(charset):
    assert codec_for(charset) is None
    assert decode_text(b"\\u0041 ok", charset=charset) == ("\\u0041 ok", "ascii")


def test_adjacent_encoded_words_are_joined_without_the_whitespace_between():
    value = "=?utf-8?q?Re:_Druck?= =?utf-8?q?er?=\t=?utf-8?b?IGRlZmVrdA==?= und =?utf-8?q?mehr?="

    assert encoded_words_decoded(value) == "Re: Drucker defekt und mehr"


def test_a_character_split_across_two_encoded_words_is_joined():
    raw = "Привет".encode()
    value = f"=?utf-8?b?{_b64(raw[:5])}?= =?utf-8?b?{_b64(raw[5:])}?="

    assert encoded_words_decoded(value) == "Привет"


def test_an_encoded_word_in_an_address_stays_a_word_the_parser_reads():
    value = "=?gb2312?b?" + _b64("王小明".encode("gbk")) + "?= <wang@example.cn>"

    normalized = encoded_words_normalized(value)

    assert normalized.endswith(" <wang@example.cn>")
    assert encoded_words_decoded(normalized) == "王小明 <wang@example.cn>"


def test_broken_encoded_words_are_kept_as_they_came():
    assert encoded_words_decoded("=?utf-8?b?!!!?= x") in ("=?utf-8?b?!!!?= x", " x")
    assert encoded_words_decoded("=?utf-8?q?a") == "=?utf-8?q?a"


def test_rfc2231_parameters_are_joined_and_decoded_in_their_charset():
    value = (
        "attachment; filename=fallback.xls; filename*0*=utf-8''%C3%9Cber; "
        'filename*1*=weisung%20M; filename*2="ärz.pdf"'
    )

    assert extended_parameters_decoded(value) == 'attachment; filename="Überweisung März.pdf"'


def test_rfc2231_gb2312_label_with_gbk_bytes_is_read_as_gb18030():
    encoded = "".join(f"%{byte:02X}" for byte in "發票.xls".encode("gbk"))

    decoded = extended_parameters_decoded(f"attachment; filename*=gb2312''{encoded}")

    assert decoded == 'attachment; filename="發票.xls"'


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()
