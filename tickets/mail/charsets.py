"""Bytes of mail text made into the text its sender wrote, as a mail client would show it.

The charset the text (or its part, or its message) declares is believed when the bytes decode
in it cleanly. Bytes that are ASCII or valid UTF-8 are read as such. Otherwise (no charset, an
unknown one, or one the bytes are not in: 8-bit text labelled us-ascii, Shift_JIS labelled
ISO-2022-JP, windows-1251 labelled UTF-8) the charset is detected: charset-normalizer proposes
the charsets the bytes read plausibly in, and since its ranking is close to chance on a subject
or a name of a few words, they are ranked again by how much the decoded text looks like words of
one script (Cyrillic words cased like words, not "рТЙЧЕФ"; Chinese characters in common use, not
Korean syllables mixed with rare ideographs). Detection never runs on ASCII or valid UTF-8, so
the common mail pays nothing for it."""

import codecs
import functools
import re
import unicodedata

from charset_normalizer import from_bytes

CHARSET_ALIASES = {  # labels mailers write that Python knows under another name
    "cp-1251": "cp1251", "win-1251": "cp1251", "x-user-defined": "cp1252",
    # Mail labelled GB2312 (or GBK) is routinely written in its superset.
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "euc-cn": "gb18030",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949",  # likewise, Korean
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "big5": "big5hkscs", "iso-8859-1": "cp1252",
    "unicode-1-1-utf-7": "utf-7", "x-mac-cyrillic": "mac-cyrillic", "iso-8859-8-i": "iso8859-8",
}  # fmt: skip
# Codecs that are no character set: decoding "text" with them interprets escapes.
_NOT_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "undefined", "idna", "punycode"})
# The charsets detection chooses among: those mail is written in where our customers are, in
# the order a tie is settled (the seeds' own Cyrillic first). Hebrew, Arabic and Thai are left
# out: their letters have no case, so any 8-bit bytes read as plausible "words" in them.
DETECTABLE = (
    "cp1251", "koi8_r", "koi8_u", "iso8859_5", "mac_cyrillic", "cp866", "cp1252",
    "iso8859_15", "cp1250", "iso8859_2", "cp1257", "cp1254", "cp1253", "gb18030", "cp932",
    "big5hkscs", "euc_jp", "cp949",
)  # fmt: skip
DETECTION_SAMPLE = 4096  # bytes: detection reads the start of a long text
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_WORD = re.compile(r"[^\W\d_]+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_COMMON_SYMBOLS = frozenset("€«»–—‘’‚“”„…•·°№©®™§\xa0×")
_CYRILLIC_COMMON = frozenset(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяєіїґўАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯЄІЇҐЎ"
)


def codec_for(charset: str | None) -> str | None:
    """Python's codec for a charset label, None for an unknown label or one that names no
    character set (base64, rot13, unicode-escape...)."""
    label = (charset or "").strip().strip("\"'").lower()
    try:
        name = codecs.lookup(CHARSET_ALIASES.get(label, label)).name
    except Exception:
        return None
    try:
        b"a".decode(name)  # LookupError for bytes-to-bytes codecs (base64, rot13...)
    except UnicodeError:
        pass  # a text codec that wants more than one byte (utf-16)
    except Exception:
        return None
    return None if name in _NOT_CHARSETS else name


def decode_text(raw: bytes, *, charset: str | None = None) -> tuple[str, str | None]:
    """The text of `raw` and the codec it was read in (None when nothing fit and it was read as
    UTF-8 with replacement characters). `charset` is the declared label, if any. Never raises;
    the text has no surrogates."""
    declared = codec_for(charset)
    if declared not in (None, "ascii", "utf-8"):
        text = _strict(raw, declared)
        if text is not None:
            return text, declared
    if not _NON_ASCII.search(raw):
        text = _strict(raw, "ascii")
        if text is not None:
            return text, "ascii"
    text = _strict(raw, "utf-8")
    if text is not None:
        return text, "utf-8"
    if _mostly_utf8(raw):  # UTF-8 with a damaged byte or two, not another charset
        return raw.decode("utf-8", "replace"), "utf-8"
    detected = detect_charset(raw)
    if detected is not None:
        return _replaced(raw, detected), detected
    return _replaced(raw, declared or "utf-8"), declared


def detect_charset(raw: bytes) -> str | None:
    """The charset 8-bit text that is not UTF-8 is most plausibly in, or None."""
    return _detected(bytes(raw[:DETECTION_SAMPLE]))


@functools.lru_cache(maxsize=256)  # a batch repeats a sender's name and subject
def _detected(sample: bytes) -> str | None:
    try:
        proposed = [match.encoding for match in from_bytes(sample, cp_isolation=list(DETECTABLE))]
    except Exception:  # the detector's own surprise must not stop a mail
        proposed = []
    best, best_score = None, None
    for position, codec in enumerate(DETECTABLE):
        text = _strict_prefix(sample, codec)
        if text is None:
            continue
        # How the text reads decides; between equals, whether the detector proposed it, then
        # the order of DETECTABLE (its ranking of short texts is close to chance).
        score = (plausibility(text), codec in proposed, -position)
        if best_score is None or score > best_score:
            best, best_score = codec, score
    return codecs.lookup(best).name if best else None


def plausibility(text: str) -> int:
    """How much `text` reads as words a person wrote: letters in words of one script, cased
    as words are, in common use, count for it; the debris of a wrong charset (mixed-case or
    mixed-script words, Latin words made mostly of accented letters, rare ideographs, control
    and stray symbol characters) counts against it. Weighted by the bytes a character takes."""
    score = 0
    for word in _WORD.findall(text):
        weight = sum(2 if ord(ch) >= 0x2E80 else 1 for ch in word)
        if word.isascii():
            continue  # the same in every candidate charset
        score += weight if _word_plausible(word) else -2 * weight
    for ch in text:
        if ch.isascii() or ch.isalpha() or ch.isdigit():
            continue
        if ch in _COMMON_SYMBOLS or 0x3000 <= ord(ch) <= 0x303F or 0xFF01 <= ord(ch) <= 0xFF5E:
            continue  # CJK and fullwidth punctuation belong to CJK text
        if unicodedata.category(ch) in ("Mn", "Zs"):
            continue
        score -= 2
    return score


def _word_plausible(word: str) -> bool:
    scripts = {_script(ch) for ch in word}
    if "rare" in scripts:
        return False
    if scripts == {"han"} or scripts <= {"han", "kana"} or scripts == {"hangul"}:
        return True
    if len(scripts) != 1 or not scripts <= {"latin", "cyrillic", "greek"}:
        return False
    cased = word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())
    if not cased:
        return False
    if scripts == {"latin"} and len(word) >= 4:
        # European words are mostly unaccented letters; "Ďđčâĺň" is Russian read as cp1250.
        return sum(not ch.isascii() for ch in word) * 3 <= len(word) * 2
    return True


def _script(ch: str) -> str:
    code = ord(ch)
    if code < 0x250:
        return "latin" if code < 0x80 or code >= 0xC0 else "rare"
    if 0x370 <= code < 0x400:
        return "greek"
    if 0x400 <= code < 0x530:
        return "cyrillic" if ch in _CYRILLIC_COMMON else "rare"
    if 0x3040 <= code < 0x3100:
        return "kana"
    if 0x4E00 <= code < 0xA000:
        return "han" if _common_han(ch) else "rare"
    if 0xAC00 <= code < 0xD7A4:
        return "hangul"
    return "rare"  # half-width katakana, box drawing, ideograph extensions, private use...


@functools.lru_cache(maxsize=4096)
def _common_han(ch: str) -> bool:
    """An ideograph in everyday use: in GB2312, Big5 level 1 or JIS level 1 and 2."""
    for codec, low, high in (("gb2312", 0xB0A1, 0xF7FE), ("big5", 0xA440, 0xC67E)):
        try:
            if low <= int.from_bytes(ch.encode(codec), "big") <= high:
                return True
        except UnicodeEncodeError:
            pass
    try:
        return 0x889F <= int.from_bytes(ch.encode("shift_jis"), "big") <= 0xEAA4
    except UnicodeEncodeError:
        return False


def _mostly_utf8(raw: bytes) -> bool:
    sequences = len(_UTF8_MULTIBYTE.findall(raw))
    return sequences >= 3 and raw.decode("utf-8", "replace").count("\ufffd") * 4 <= sequences


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        text = raw.decode(codec)
    except Exception:  # some codecs raise more than UnicodeDecodeError on hostile bytes
        return None
    return None if _SURROGATE.search(text) else text


def _strict_prefix(sample: bytes, codec: str) -> str | None:
    try:
        return codecs.getincrementaldecoder(codec)().decode(sample, final=False)
    except Exception:
        return None


def _replaced(raw: bytes, codec: str) -> str:
    try:
        text = raw.decode(codec, "replace")
    except Exception:
        text = raw.decode("utf-8", "replace")
    return _SURROGATE.sub("\ufffd", text)
