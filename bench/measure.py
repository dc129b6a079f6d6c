"""Time the desk's pages through Django's test client, signed in as the measured tech.

Each page is requested a few times to warm up (templates compiled, connections open, caches
filled), then timed `iterations` times with time.perf_counter() around client.get/post: the
whole server side of a request (middleware, session, views, queries, template rendering), with
no network in between. One more request per page runs under CaptureQueriesContext to count its
queries (as django_assert_num_queries does, BEGIN and COMMIT included), add up their time and
keep the slowest; that request is not part of the timings."""

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from bench.fill import Dataset
from departments.models import Membership
from tickets import activity_feed, queues
from tickets.models import ACTIVE_STATUS_TYPES, Activity, Message, Ticket

DEEP_PAGE = 200
WARMUP = 5


@dataclass(frozen=True)
class Result:
    page: str
    url: str
    rows: int  # rows (tickets or messages) the page shows
    queries: int
    median_ms: float
    p95_ms: float
    sql_ms: float  # time of all its queries together
    slowest_query_ms: float
    slowest_query: str
    note: str = ""


def measure_all(
    *,
    dataset: Dataset,
    iterations: int,
    explain: bool = False,
    log: Callable[[str], None] = print,
) -> list[Result]:
    tech = User.objects.get(email=dataset.tech_email)
    client = Client()
    client.force_login(tech)
    results = []

    mine = queues.queue_page(user=tech, queue="mine")
    results.append(
        _timed(client, "My pool", "/desk/?queue=mine", rows=len(mine.tickets), n=iterations)
    )
    general = queues.queue_page(user=tech, queue="general")
    results.append(
        _timed(
            client,
            "General pool, first page",
            "/desk/?queue=general",
            rows=len(general.tickets),
            n=iterations,
        )
    )
    page_number, cursor, rows = _deep_cursor(tech)
    results.append(
        _timed(
            client,
            f"General pool, page {page_number}",
            f"/desk/?queue=general&cursor={cursor}",
            rows=rows,
            n=iterations,
            note="" if page_number == DEEP_PAGE else "the last full page",
        )
    )
    for number, label in (
        (dataset.thread_number, "Ticket page, 50-message thread"),
        (dataset.short_thread_number, "Ticket page, short thread"),
    ):
        messages = Message.objects.filter(ticket__number=number).count()
        results.append(_timed(client, label, f"/desk/t/{number}/", rows=messages, n=iterations))
    results.append(_get_next(client, tech, n=iterations))
    results += _manager_pages(tech, n=iterations)

    for result in results:
        log(
            f"  {result.page}: median {result.median_ms:.1f} ms, p95 {result.p95_ms:.1f} ms,"
            f" {result.queries} queries, {result.rows} rows"
        )
    if explain:
        for result in results:
            explain_query(result, log=log)
    return results


def _timed(
    client: Client,
    page: str,
    url: str,
    *,
    rows: int,
    n: int,
    method: str = "get",
    expect: int = 200,
    note: str = "",
) -> Result:
    request = getattr(client, method)
    for _ in range(WARMUP):
        _check(request(url), expect, url)
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        response = request(url)
        timings.append(time.perf_counter() - started)
        _check(response, expect, url)
    timed: list[tuple[float, str]] = []
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(_timer(timed)):
        _check(request(url), expect, url)
    slowest_ms, slowest_sql = max(timed)
    return Result(
        page=page,
        url=url,
        rows=rows,
        queries=len(captured.captured_queries),
        median_ms=statistics.median(timings) * 1000,
        p95_ms=percentile(timings, 95) * 1000,
        sql_ms=sum(ms for ms, _sql in timed),
        slowest_query_ms=slowest_ms,
        slowest_query=slowest_sql,
        note=note,
    )


def _manager_pages(tech: User, *, n: int) -> list[Result]:
    """The board and the activity feed of a manager of the measured tech's first department
    (with a watermark of 0, so every count of new activity runs to its cap)."""
    membership = (
        Membership.objects.filter(
            is_manager=True, department__memberships__user=tech, department__is_active=True
        )
        .select_related("user")
        .order_by("department_id")
        .first()
    )
    manager = membership.user
    client = Client()
    client.force_login(manager)
    departments = Membership.objects.filter(user=manager, is_manager=True).count()
    feed = activity_feed.feed_page(
        user=manager,
        department_ids=list(
            Membership.objects.filter(user=manager, is_manager=True).values_list(
                "department_id", flat=True
            )
        ),
    )
    kind = Activity.CUSTOMER_MESSAGE
    return [
        _timed(client, "Manager board", "/manage/", rows=departments, n=n),
        _timed(client, "Activity feed, first page", "/manage/activity/", rows=len(feed.rows), n=n),
        _timed(
            client,
            "Activity feed, one kind",
            f"/manage/activity/?kind={kind}",
            rows=len(feed.rows),
            n=n,
        ),
    ]


def _timer(timed: list[tuple[float, str]]):
    """An execute wrapper recording each query's time (finer than Django's millisecond rounding)
    and its SQL with the parameters in place."""

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            milliseconds = (time.perf_counter() - started) * 1000
            text = connection.ops.last_executed_query(context["cursor"], sql, params)
            timed.append((milliseconds, text))

    return wrapper


def _check(response, expect: int, url: str) -> None:
    if response.status_code != expect:
        raise RuntimeError(f"{url} answered {response.status_code}, expected {expect}")


def percentile(values: list[float], rank: int) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(rank / 100 * len(ordered)) - 1)]


def _deep_cursor(tech: User) -> tuple[int, str, int]:
    """Walk the general pool once, as a tech clicking "Next page" would, to the cursor of page
    DEEP_PAGE (or of the last full page when the pool is shorter); return the page's number,
    its cursor and how many rows it shows."""
    page = queues.queue_page(user=tech, queue="general")
    number, cursor = 1, ""
    while number < DEEP_PAGE and page.next_cursor:
        following = queues.queue_page(user=tech, queue="general", cursor=page.next_cursor)
        if not following.next_cursor:
            break  # the last page is usually short: stay on a full one
        cursor, page, number = page.next_cursor, following, number + 1
    return number, cursor, len(page.tickets)


def _get_next(client: Client, tech: User, *, n: int) -> Result:
    """Each "get next" claims a ticket. Afterwards the claimed tickets go back to the general
    pool as they were and the claim events are deleted, so a kept database measures the same
    next time."""
    departments = queues.member_department_ids(tech)
    pool = {
        row[0]: row[1:]
        for row in Ticket.objects.filter(
            assignee__isnull=True,
            status_type__in=ACTIVE_STATUS_TYPES,
            department_id__in=departments,
        ).values_list("id", "status_id", "status_type", "updated_at")
    }
    last_message = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
    try:
        return _timed(client, "Get next", "/desk/next/", rows=1, n=n, method="post", expect=302)
    finally:
        claims = Message.objects.filter(
            id__gt=last_message, author=tech, kind=Message.Kind.EVENT, event_data__event="claimed"
        )
        claimed = set(claims.values_list("ticket_id", flat=True))
        with transaction.atomic():
            Message.objects.filter(id__gt=last_message, ticket_id__in=claimed).delete()
            for ticket_id in claimed:
                status_id, status_type, updated_at = pool[ticket_id]
                Ticket.objects.filter(pk=ticket_id).update(
                    assignee=None,
                    status_id=status_id,
                    status_type=status_type,
                    updated_at=updated_at,
                )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tickets_ticket, tickets_message")


def explain_query(result: Result, *, log: Callable[[str], None] = print) -> None:
    """Print EXPLAIN (ANALYZE, BUFFERS) of the page's slowest query. It runs in a transaction
    that is rolled back: a SELECT ... FOR UPDATE really locks what it reads."""
    sql = result.slowest_query
    if not sql.lstrip().upper().startswith("SELECT"):
        log(f"\n{result.page}: slowest query is not a SELECT, not explained:\n{sql}")
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    log(f"\n{result.page} — slowest query ({result.slowest_query_ms:.1f} ms):\n{sql}\n{plan}")
