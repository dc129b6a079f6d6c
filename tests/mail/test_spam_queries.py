"""What the spam filter costs: scoring and learning take a fixed few queries whatever the
number of tokens."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.mail.spam_corpus import tokens_of, train
from tickets.mail.spam import MAX_TOKENS_PER_MESSAGE, spam_learn, spam_score

# --- cost ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 50, MAX_TOKENS_PER_MESSAGE])
def test_scoring_takes_two_queries_whatever_the_number_of_tokens(
    size, django_assert_max_num_queries
):
    train()
    tokens = {f"token{i}" for i in range(size)} | {"viagra"}

    with django_assert_max_num_queries(2):
        spam_score(tokens=tokens)


@pytest.mark.django_db
def test_scoring_an_untrained_filter_takes_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert spam_score(tokens={"viagra"}) is None


@pytest.mark.django_db
def test_scoring_a_five_thousand_word_mail_reads_the_tokens_in_one_query():
    train()
    text = " ".join(f"word{i}" for i in range(5000))
    spam_learn(tokens={f"word{i}" for i in range(5000)}, is_spam=False)

    with CaptureQueriesContext(connection) as context:
        from_mail = spam_score(tokens=tokens_of("Hello", text, "a@b.example"))
        from_all_words = spam_score(tokens={f"word{i}" for i in range(5000)})

    token_queries = [q for q in context.captured_queries if "tickets_spamtoken" in q["sql"]]
    assert len(context.captured_queries) == 4
    assert len(token_queries) == 2  # one per score
    assert 0 <= from_mail <= 1
    assert 0 <= from_all_words <= 1


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, MAX_TOKENS_PER_MESSAGE])
def test_learning_takes_the_same_few_queries_whatever_the_number_of_tokens(size):
    tokens = {f"token{i}" for i in range(size)}

    with CaptureQueriesContext(connection) as context:
        spam_learn(tokens=tokens, is_spam=True, unlearn_previous=True)

    statements = [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 4  # insert tokens, update tokens, insert corpus, update corpus
