"""A small trainable Bayesian spam filter: tokenizer, scorer (a selector) and learner (a service).

Scoring is Gary Robinson's method as used by SpamBayes: each known token gets Robinson's
smoothed probability f(w) (strength s=1, assumed probability x=0.5), and the strongest clues are
combined with Fisher's inverse chi-square test rather than Graham's naive product, so a mail with
both spammy and hammy words lands near 0.5 ("unsure") instead of flipping to 0 or 1.

Counts live in SpamToken (per token: how many learned spam / good mails contained it) and the
single SpamCorpus row (how many mails of each kind were learned). Every count changes through an
SQL expression, never a read-modify-write in Python, so techs can train at the same time.
"""

import math
import re
from collections.abc import Iterable
from email.utils import parseaddr
from itertools import islice

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from tickets.models import SpamCorpus, SpamToken

SPAM_THRESHOLD = 0.9
# Below this many learned mails of either kind the counts say nothing yet: a new installation
# must not call every mail spam (or none) on the strength of its first two corrections.
MIN_LEARNED_PER_KIND = 10
MAX_TOKENS_PER_MESSAGE = 500
# A 20 MB mail is tokenised from its beginning only; spam shows its hand early.
MAX_SCANNED_CHARS = 100_000
TOKEN_MAX_LENGTH = 64  # SpamToken.token's max_length
MANY_URLS = 4

# Robinson's smoothing: an unseen-ish token leans towards x until it has been seen ~s times.
ROBINSON_S = 1.0
ROBINSON_X = 0.5
# SpamBayes' defaults: tokens closer to 0.5 than this are noise, and only the strongest clues vote.
MIN_CLUE_STRENGTH = 0.1
MAX_CLUES = 150

CORPUS_PK = 1  # SpamCorpus is a single row; a fixed key lets concurrent learners create it safely

_WORD = re.compile(r"[^\W_]+")  # Unicode letters (Latin, Cyrillic, ...) and digits
_URL_HOST = re.compile(r"(?:https?://(?:[^\s/@]*@)?|(?<![\w.@-])(?=www\.))([\w.-]+)", re.IGNORECASE)
# Starting only where a number starts keeps the search linear on long runs of digits.
_MONEY = re.compile(
    r"[$€£₽¥]\s?\d"
    r"|(?<![\d.,])\d[\d.,]*+\s?"
    r"(?:[$€£₽¥]|usd\b|eur\b|gbp\b|rub\b|руб|dollars?\b|долл)",
    re.IGNORECASE,
)


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if 3 <= len(w) <= 40]


def _shape_tokens(*, subject: str, text: str, url_count: int) -> list[str]:
    shapes = []
    if url_count >= MANY_URLS:
        shapes.append("shape:many-urls")
    letters = [c for c in subject if c.isalpha()]
    if len(letters) >= 6 and all(c.isupper() for c in letters):
        shapes.append("shape:all-caps-subject")
    if _MONEY.search(subject) or _MONEY.search(text):
        shapes.append("shape:money")
    if "!!!" in subject or "!!!" in text:
        shapes.append("shape:exclamations")
    return shapes


def spam_tokens(*, subject: str, text: str, from_address: str) -> set[str]:
    """The clues the filter learns from and scores: at most MAX_TOKENS_PER_MESSAGE distinct ones.

    Shape, sender and subject tokens come first so a long body can never crowd them out."""
    subject = subject[:1000]
    text = text[:MAX_SCANNED_CHARS]
    hosts = [m.group(1).lower().strip(".") for m in islice(_URL_HOST.finditer(text), 100)]
    tokens: dict[str, None] = {}  # a dict keeps first-seen order, so the cap is deterministic
    tokens.update(dict.fromkeys(_shape_tokens(subject=subject, text=text, url_count=len(hosts))))
    domain = parseaddr(from_address)[1].rpartition("@")[2].lower().strip(".>")
    if domain:
        tokens[f"from:{domain}"] = None
    tokens.update(dict.fromkeys(f"s:{word}" for word in _words(subject)))
    tokens.update(dict.fromkeys(f"url:{host}" for host in hosts if host))
    for match in _WORD.finditer(text):
        if len(tokens) >= MAX_TOKENS_PER_MESSAGE:
            break
        if 3 <= len(word := match.group().lower()) <= 40:
            tokens[word] = None
    return {token[:TOKEN_MAX_LENGTH] for token in islice(tokens, MAX_TOKENS_PER_MESSAGE)}


def spam_corpus_size() -> tuple[int, int]:
    """(spam mails learned, good mails learned)."""
    row = SpamCorpus.objects.filter(pk=CORPUS_PK).values_list("spam_messages", "ham_messages")
    return row.first() or (0, 0)


def _chi2_survival(chi2: float, degrees: int) -> float:
    """P(X >= chi2) for a chi-square distribution with an even number of degrees of freedom."""
    half = chi2 / 2.0
    term = total = math.exp(-half)
    for i in range(1, degrees // 2):
        term *= half / i
        total += term
    return min(total, 1.0)


def spam_token_counts(tokens: Iterable[str]) -> dict[str, tuple[int, int]]:
    """(in spam, in good mail) of each learned token among these; one query however many (a
    whole batch of mails is scored with one)."""
    keys = sorted({token[:TOKEN_MAX_LENGTH] for token in tokens})
    if not keys:
        return {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT token, spam_count, ham_count FROM {SpamToken._meta.db_table}"
                " WHERE token = ANY(%s)",
                [keys],
            )
            return {token: (spam, ham) for token, spam, ham in cursor.fetchall()}
    counts = {}
    for start in range(0, len(keys), 500):  # SQLite's limit on query parameters
        rows = SpamToken.objects.filter(token__in=keys[start : start + 500])
        counts.update(
            (token, (spam, ham))
            for token, spam, ham in rows.values_list("token", "spam_count", "ham_count")
        )
    return counts


def spam_score(
    *,
    tokens: set[str],
    counts: dict[str, tuple[int, int]] | None = None,
    corpus: tuple[int, int] | None = None,
) -> float | None:
    """How likely the mail is spam, 0..1; None while the filter has learned too little to judge.

    Two queries whatever the number of tokens (the corpus row, then all token counts at once),
    none when the caller looked both up already for a whole batch (`counts` must then hold
    every learned token of `tokens`)."""
    spam_messages, ham_messages = corpus if corpus is not None else spam_corpus_size()
    if spam_messages < MIN_LEARNED_PER_KIND or ham_messages < MIN_LEARNED_PER_KIND:
        return None
    keys = {token[:TOKEN_MAX_LENGTH] for token in tokens}
    if not keys:
        return 0.5
    if counts is None:
        counts = spam_token_counts(keys)
    clues = []
    for spam_count, ham_count in (counts[key] for key in keys if key in counts):
        seen = spam_count + ham_count
        spam_ratio = min(spam_count / spam_messages, 1.0)
        ham_ratio = min(ham_count / ham_messages, 1.0)
        if seen == 0 or spam_ratio + ham_ratio == 0:
            continue  # fully unlearned: no evidence either way
        p = spam_ratio / (spam_ratio + ham_ratio)
        f = (ROBINSON_S * ROBINSON_X + seen * p) / (ROBINSON_S + seen)
        if abs(f - 0.5) >= MIN_CLUE_STRENGTH:
            clues.append(f)
    if not clues:
        return 0.5
    clues = sorted(clues, key=lambda f: abs(f - 0.5), reverse=True)[:MAX_CLUES]
    degrees = 2 * len(clues)
    # Fisher: how surprising the clues would be if they were random; f is strictly inside (0, 1)
    # thanks to Robinson's smoothing, so the logarithms are finite.
    spamminess = 1.0 - _chi2_survival(-2.0 * math.fsum(math.log(1.0 - f) for f in clues), degrees)
    hamminess = 1.0 - _chi2_survival(-2.0 * math.fsum(math.log(f) for f in clues), degrees)
    return (1.0 + spamminess - hamminess) / 2.0


def is_spam(score: float | None) -> bool:
    """An unknown score (filter still untrained) is never spam: mail is not set aside on a guess."""
    return score is not None and score >= SPAM_THRESHOLD


@transaction.atomic
def spam_learn(*, tokens: set[str], is_spam: bool, unlearn_previous: bool | None = None) -> None:
    """Count one mail's tokens as spam or as good mail.

    unlearn_previous=True says this mail had been learned as the opposite before (a tech corrects
    a verdict): that learning is taken back, so "mark spam" then "not spam" leaves the counts as if
    the mail had been learned once as good mail. Counts never go below zero. The caller learns each
    mail once per verdict; learning it twice counts it twice.
    """
    added, removed = ("spam_count", "ham_count") if is_spam else ("ham_count", "spam_count")
    changes = {added: F(added) + 1}
    if unlearn_previous:
        changes[removed] = Greatest(F(removed) - 1, 0)
    keys = sorted({token[:TOKEN_MAX_LENGTH] for token in tokens})
    if keys:
        SpamToken.objects.bulk_create([SpamToken(token=key) for key in keys], ignore_conflicts=True)
        # Locking the rows in token order first means two learners sharing tokens queue up behind
        # each other instead of deadlocking; Django keeps ORDER BY in a FOR UPDATE subquery.
        locked = SpamToken.objects.select_for_update().filter(token__in=keys).order_by("token")
        SpamToken.objects.filter(token__in=locked.values("token")).update(**changes)

    added_messages, removed_messages = (
        ("spam_messages", "ham_messages") if is_spam else ("ham_messages", "spam_messages")
    )
    corpus_changes = {added_messages: F(added_messages) + 1}
    if unlearn_previous:
        corpus_changes[removed_messages] = Greatest(F(removed_messages) - 1, 0)
    SpamCorpus.objects.bulk_create([SpamCorpus(pk=CORPUS_PK)], ignore_conflicts=True)
    SpamCorpus.objects.filter(pk=CORPUS_PK).update(**corpus_changes)
