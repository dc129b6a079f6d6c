"""The spam filter's tokenizer: which words, hosts and shapes of a mail become tokens."""

# Russian mail is part of the point here, so Cyrillic letters that look Latin are intended.

from tests.mail.spam_corpus import tokens_of
from tickets.mail.spam import MAX_TOKENS_PER_MESSAGE

# --- tokenizer -----------------------------------------------------------------------------------


def test_tokens_are_lowercased_words_of_three_to_forty_letters_or_digits_in_any_script():
    tokens = tokens_of("", "Принтер НЕ печатает: Error 0x51, ok a_b ёжик 2024 " + "я" * 41, "")

    assert {"принтер", "печатает", "error", "0x51", "ёжик", "2024"} <= tokens
    assert not {"не", "ok", "a_b", "ab", "я" * 41} & tokens


def test_subject_words_are_prefixed_and_the_sender_domain_is_a_token():
    tokens = tokens_of("Сброс пароля", "body", "Anna Smith <Anna@Mail.Acme.Example>")

    assert {"s:сброс", "s:пароля", "from:mail.acme.example", "body"} <= tokens
    assert "сброс" not in tokens


def test_url_hostnames_become_tokens():
    text = (
        "See HTTPS://Shop.Example/buy?x=1, www.deals.example/a and http://user@evil.example:8080/"
    )

    tokens = tokens_of("", text, "")

    assert {"url:shop.example", "url:www.deals.example", "url:evil.example"} <= tokens
    assert "shape:many-urls" not in tokens


def test_shape_tokens_mark_many_urls_shouting_subjects_money_and_exclamations():
    urls = " ".join(f"http://site{i}.example" for i in range(4))
    spammy = tokens_of("YOU HAVE WON", f"Claim $1,000 now!!! {urls}", "x@y.example")
    roubles = tokens_of("Выигрыш", "Ваш приз 1 000 000 руб.", "")
    euros = tokens_of("Prize", "You won 250,000 EUR today", "")

    assert {
        "shape:many-urls",
        "shape:all-caps-subject",
        "shape:money",
        "shape:exclamations",
    } <= spammy
    assert "shape:money" in roubles
    assert "shape:money" in euros


def test_ordinary_support_mail_has_no_shape_tokens():
    tokens = tokens_of(
        "RE: VPN", "Invoice 2024-117 is wrong, page 3 of 5. See http://acme.example", ""
    )

    assert not {token for token in tokens if token.startswith("shape:")}


def test_token_count_is_capped_but_subject_sender_and_shapes_survive():
    body = " ".join(f"word{i}" for i in range(5000))

    tokens = tokens_of("URGENT PRIZE CLAIM", body, "a@b.example")

    assert len(tokens) == MAX_TOKENS_PER_MESSAGE
    assert {"s:urgent", "from:b.example", "shape:all-caps-subject", "word0"} <= tokens
    assert "word4999" not in tokens


def test_long_domains_and_hosts_are_truncated_to_the_column_length():
    long_host = "a" * 30 + "." + "b" * 30 + "." + "c" * 30 + ".example"

    tokens = tokens_of("", f"http://{long_host}/", f"x@{long_host}")

    assert f"from:{long_host}"[:64] in tokens
    assert f"url:{long_host}"[:64] in tokens
    assert max(len(token) for token in tokens) == 64


def test_huge_mail_is_tokenized_from_its_beginning_only():
    digits = "1" * 300_000  # a long digit run must not make the money search quadratic

    tokens = tokens_of("", f"{digits} hello", "")

    assert "hello" not in tokens
    assert "shape:money" not in tokens
