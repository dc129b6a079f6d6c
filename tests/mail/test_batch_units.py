"""The building blocks a batch of mail is taken in with: ticket numbers drawn together,
customers found and created together, spam counts looked up together."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.customers import customers_by_emails, customers_create
from accounts.models import Customer, CustomerEmail
from tests.factories import CustomerEmailFactory
from tickets.mail import spam
from tickets.numbering import ticket_number_next, ticket_numbers_next

pytestmark = pytest.mark.django_db


def test_ticket_numbers_next_draws_ascending_new_numbers_in_one_query():
    before = ticket_number_next()

    with CaptureQueriesContext(connection) as queries:
        numbers = ticket_numbers_next(5)

    assert len(queries) == 1
    assert numbers == sorted(set(numbers))
    assert len(numbers) == 5
    assert numbers[0] > before
    after = ticket_number_next()
    assert after > numbers[-1]


def test_ticket_numbers_next_of_none_asks_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert ticket_numbers_next(0) == []

    assert len(queries) == 0


def test_customers_create_makes_one_customer_per_address_with_a_primary_lowercase_email():
    created = customers_create(
        names_by_email={"Ann@Example.ORG": "  Ann Able ", "bob@example.org": ""}
    )

    assert set(created) == {"ann@example.org", "bob@example.org"}
    ann = Customer.objects.get(pk=created["ann@example.org"].pk)
    assert ann.name == "Ann Able"
    assert created["bob@example.org"].name == "bob@example.org"  # no name: the address
    address = CustomerEmail.objects.get(customer=ann)
    assert (address.email, address.is_primary) == ("ann@example.org", True)
    assert Customer.objects.count() == 2


def test_customers_by_emails_finds_customers_whatever_the_case_in_one_query():
    ann = CustomerEmailFactory(email="ann@example.org").customer
    bob = customers_create(names_by_email={"Bob@Example.org": "Bob"})["bob@example.org"]

    with CaptureQueriesContext(connection) as queries:
        found = customers_by_emails(
            emails=["ANN@example.org", " bob@EXAMPLE.org ", "nobody@example.org", ""]
        )

    assert len(queries) == 1
    assert found == {"ann@example.org": ann, "bob@example.org": bob}


def test_customers_by_emails_of_nothing_asks_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert customers_by_emails(emails=["", ""]) == {}

    assert len(queries) == 0


def vocabulary(prefix: str, count: int) -> set[str]:
    return {f"{prefix}{n:03d}" for n in range(count)}


@pytest.fixture
def learned():
    """A filter that has learned enough to judge: 12 spam and 12 good mails, with words of
    their own and words they share."""
    spammy, hammy, shared = vocabulary("cheap", 150), vocabulary("printer", 150), {"hello", "the"}
    for n in range(12):
        spam.spam_learn(tokens=spammy | shared if n % 2 else spammy, is_spam=True)
        spam.spam_learn(tokens=hammy | shared, is_spam=False)
    return spammy, hammy, shared


def test_spam_token_counts_returns_the_learned_counts_of_hundreds_of_tokens_in_one_query(
    learned,
):
    spammy, hammy, shared = learned
    unknown = vocabulary("never", 50)

    with CaptureQueriesContext(connection) as queries:
        counts = spam.spam_token_counts(spammy | hammy | shared | unknown)

    assert len(queries) == 1
    assert len(counts) == 302
    assert {counts[token] for token in spammy} == {(12, 0)}
    assert {counts[token] for token in hammy} == {(0, 12)}
    assert counts["hello"] == counts["the"] == (6, 12)
    assert not unknown & counts.keys()


def test_spam_token_counts_cuts_tokens_to_the_stored_length():
    long_token = "x" * (spam.TOKEN_MAX_LENGTH + 10)
    spam.spam_learn(tokens={long_token}, is_spam=True)

    counts = spam.spam_token_counts([long_token])

    assert counts == {long_token[: spam.TOKEN_MAX_LENGTH]: (1, 0)}


@pytest.mark.parametrize(
    ("spammy_words", "hammy_words", "others"),
    [(40, 0, {"unknown-word"}), (0, 40, {"hello", "the"}), (20, 20, set()), (0, 0, {"unknown"})],
    ids=["spammy", "hammy", "mixed", "unknown"],
)
def test_spam_score_with_counts_looked_up_for_a_batch_equals_the_score_on_its_own(
    learned, spammy_words, hammy_words, others
):
    spammy, hammy, shared = learned
    tokens = {*sorted(spammy)[:spammy_words], *sorted(hammy)[:hammy_words], *others}
    corpus = spam.spam_corpus_size()
    # A batch looks up the tokens of all its mails: counts of other mails' words come along.
    batch_counts = spam.spam_token_counts(tokens | spammy | hammy | shared)

    with CaptureQueriesContext(connection) as alone_queries:
        alone = spam.spam_score(tokens=tokens)
    with CaptureQueriesContext(connection) as batch_queries:
        batched = spam.spam_score(tokens=tokens, counts=batch_counts, corpus=corpus)

    assert batched == alone
    assert len(alone_queries) == 2  # the corpus, then every count at once
    assert len(batch_queries) == 0


def test_spam_scores_tell_spam_from_good_mail(learned):
    spammy, hammy, _ = learned

    assert spam.is_spam(spam.spam_score(tokens=set(sorted(spammy)[:40])))
    assert not spam.is_spam(spam.spam_score(tokens=set(sorted(hammy)[:40])))


def test_spam_score_is_unknown_while_the_filter_has_learned_too_little():
    spam.spam_learn(tokens={"cheap"}, is_spam=True)

    assert spam.spam_score(tokens={"cheap"}, counts={"cheap": (1, 0)}, corpus=(1, 0)) is None
    assert spam.spam_score(tokens={"cheap"}) is None
