"""The spam filter learning from mail and from techs' corrections, also from many threads at
once."""

import pytest

from tests.concurrency import run_in_threads
from tests.mail.spam_corpus import HAM, SPAM, tokens_of
from tickets.mail.spam import spam_corpus_size, spam_learn
from tickets.models import SpamToken


def counts(token):
    return SpamToken.objects.values_list("spam_count", "ham_count").get(token=token)


# --- learning and corrections --------------------------------------------------------------------


@pytest.mark.django_db
def test_learning_counts_each_token_once_per_mail_and_the_mail_in_the_corpus():
    spam_learn(tokens={"viagra", "cheap"}, is_spam=True)
    spam_learn(tokens={"viagra", "printer"}, is_spam=False)
    spam_learn(tokens={"viagra"}, is_spam=True)

    assert counts("viagra") == (2, 1)
    assert counts("cheap") == (1, 0)
    assert counts("printer") == (0, 1)
    assert spam_corpus_size() == (2, 1)


@pytest.mark.django_db
def test_corpus_is_empty_before_anything_was_learned():
    assert spam_corpus_size() == (0, 0)


@pytest.mark.django_db
def test_marking_spam_then_not_spam_leaves_counts_as_if_learned_once_as_good_mail():
    tokens = tokens_of(*HAM[0])
    spam_learn(tokens=set(list(tokens)[:3]), is_spam=False)  # some of its words seen before

    spam_learn(tokens=tokens, is_spam=True)
    spam_learn(tokens=tokens, is_spam=False, unlearn_previous=True)

    for token in tokens:
        expected_ham = 2 if token in set(list(tokens)[:3]) else 1
        assert counts(token) == (0, expected_ham)
    assert spam_corpus_size() == (0, 2)


@pytest.mark.django_db
def test_marking_not_spam_then_spam_again_ends_as_spam():
    spam_learn(tokens={"lottery", "prize"}, is_spam=False)
    spam_learn(tokens={"lottery", "prize"}, is_spam=True, unlearn_previous=True)

    assert counts("lottery") == (1, 0)
    assert spam_corpus_size() == (1, 0)


@pytest.mark.django_db
def test_unlearning_what_was_never_learned_never_makes_counts_negative():
    spam_learn(tokens={"fresh"}, is_spam=False, unlearn_previous=True)
    spam_learn(tokens={"fresh"}, is_spam=True, unlearn_previous=True)
    spam_learn(tokens={"fresh"}, is_spam=True, unlearn_previous=True)

    assert counts("fresh") == (2, 0)
    assert spam_corpus_size() == (2, 0)


@pytest.mark.django_db
def test_learning_truncates_tokens_longer_than_the_column():
    spam_learn(tokens={"x" * 100}, is_spam=True)

    assert counts("x" * 64) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_learning_from_eight_threads_at_once_counts_exactly():
    tokens = tokens_of(*SPAM[0]) | {"shared", "zebra", "alpha"}

    def learn(index):
        for _ in range(5):
            spam_learn(tokens=tokens, is_spam=index % 2 == 0)
            spam_learn(tokens={"shared", f"own{index}"}, is_spam=True)

    run_in_threads(8, learn)

    assert counts("viagra") == (20, 20)
    assert counts("shared") == (60, 20)
    assert all(counts(f"own{index}") == (5, 0) for index in range(8))
    assert spam_corpus_size() == (60, 20)


@pytest.mark.django_db(transaction=True)
def test_corrections_from_eight_threads_at_once_count_exactly():
    tokens = {"lottery", "prize", "winner"}
    for _ in range(8):
        spam_learn(tokens=tokens, is_spam=False)

    run_in_threads(8, lambda index: spam_learn(tokens=tokens, is_spam=True, unlearn_previous=True))

    assert counts("prize") == (8, 0)
    assert spam_corpus_size() == (8, 0)
