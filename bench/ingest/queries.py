"""The statements of one poll: captured and timed, reduced to shapes and short labels, grouped,
and counted as transactions."""

from __future__ import annotations

import re
import time
from collections import Counter, deque

from bench.ingest.results import Pass, QueryGroup


def ingest_counted(mailbox_id: int, count: int):
    """One poll of `count` mails with every statement captured: CaptureQueriesContext for the
    count (BEGIN and COMMIT included, as django_assert_num_queries counts), and an execute
    wrapper plus a timed commit for the durations (Django's query log rounds each one to whole
    milliseconds, which makes sub-millisecond queries read as 0)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets.mail.polling import mailbox_poll

    timings: list[dict] = []

    def timed_execute(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append({"sql": sql, "time": time.perf_counter() - started})

    commit = connection._commit

    def timed_commit():
        started = time.perf_counter()
        try:
            return commit()
        finally:
            timings.append({"sql": "COMMIT", "time": time.perf_counter() - started})

    connection._commit = timed_commit
    # Django keeps the last 9,000 queries only; a POP3 poll runs more than that.
    queries_log, connection.queries_log = connection.queries_log, deque()
    try:
        with (
            CaptureQueriesContext(connection) as context,
            connection.execute_wrapper(timed_execute),
        ):
            started = time.perf_counter()
            poll = mailbox_poll(mailbox_id=mailbox_id, limit=count)
            seconds = time.perf_counter() - started
        captured = list(context.captured_queries)  # read from the log, before it is put back
    finally:
        del connection._commit
        connection.queries_log = queries_log
    # psycopg sends BEGIN itself with a transaction's first statement: counted, not timed apart.
    timings += [{"sql": "BEGIN", "time": 0.0} for q in captured if q["sql"] == "BEGIN"]
    result = Pass(messages=poll.taken_in + poll.duplicates, taken_in=poll.taken_in, polls=1)
    result.duplicates, result.seconds = poll.duplicates, seconds
    return result, captured, timings


_QUOTED = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"-?\b\d+(?:\.\d+)?(?:e[-+]?\d+)?\b", re.IGNORECASE)
_LIST = re.compile(r"\(\s*\?(?:\s*,\s*\?)*\s*\)")
_SAVEPOINT = re.compile(r'^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT) "?\w+"?')


def query_shape(sql: str) -> str:
    """The statement with its values replaced, so the same query with other values matches."""
    sql = _SAVEPOINT.sub(r"\1 …", sql.strip()).replace("%s", "?")
    return _LIST.sub("(…)", _NUMBER.sub("?", _QUOTED.sub("?", sql)))


def query_label(sql: str) -> str:
    """A short name: statement, table, the columns of its WHERE clause."""
    first = sql.split(None, 1)[0].upper()
    if first in ("BEGIN", "COMMIT", "ROLLBACK") or _SAVEPOINT.match(sql):
        return _SAVEPOINT.sub(r"\1", sql).strip()
    function = re.match(r"SELECT (\w+)\(", sql)
    if function and " FROM " not in sql:
        return f"SELECT {function[1]}()"
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
    label = f"{first} {table[1] if table else '?'}"
    where = sql.split(" WHERE ", 1)[1] if " WHERE " in sql else ""
    columns = re.findall(r'"\w+"\."(\w+)"\s*(?:=|IN\b|IS\b|<|>|LIKE|::)', where)
    if columns:
        label += " by " + ", ".join(dict.fromkeys(columns))
    if first == "SELECT" and re.match(r"SELECT (?:1|%s|\(1\)) AS \"a\"", sql):
        label = label.replace("SELECT", "EXISTS", 1)
    elif first == "SELECT" and "COUNT(" in sql.upper():
        label = label.replace("SELECT", "COUNT", 1)
    if first == "UPDATE":
        assigned = sql.split(" SET ", 1)[1].split(" WHERE ", 1)[0] if " SET " in sql else ""
        label += " set " + ", ".join(dict.fromkeys(re.findall(r'"(\w+)" = ', assigned)))
    if " FOR UPDATE" in sql:
        label += " FOR UPDATE"
    return label


def query_groups(timings: list[dict], *, by: str = "label") -> list[QueryGroup]:
    """The captured queries grouped by short label (by="label") or by exact shape."""
    groups: dict[str, QueryGroup] = {}
    for query in timings:
        shape, label = query_shape(query["sql"]), query_label(query["sql"])
        group = groups.setdefault(
            label if by == "label" else shape, QueryGroup(label=label, shape=shape)
        )
        group.count += 1
        group.seconds += float(query["time"] or 0)
    return sorted(groups.values(), key=lambda g: (-g.count, -g.seconds))


def transactions_count(captured: list[dict]) -> dict[str, int]:
    """Transactions the statements ran in: explicit (BEGIN … COMMIT) and single autocommitted
    statements, and of those, how many wrote (each written commit waits for the WAL flush)."""
    counts = Counter()
    inside, wrote = False, False
    for query in captured:
        sql = query["sql"].strip()
        first = sql.split(None, 1)[0].upper()
        writes = first in ("INSERT", "UPDATE", "DELETE") or "nextval(" in sql
        if first == "BEGIN":
            inside, wrote = True, False
        elif first in ("COMMIT", "ROLLBACK"):
            counts["explicit"] += 1
            counts["written"] += wrote and first == "COMMIT"
            inside = False
        elif inside:
            wrote = wrote or writes
        else:
            counts["autocommit"] += 1
            counts["written"] += writes
    return dict(counts)
