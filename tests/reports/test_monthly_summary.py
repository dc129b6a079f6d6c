"""The optional monthly summary to managers (reports/monthly_summary.py): on their own 1st, last
month's key numbers for the departments they manage (an admin: all), read with the reports'
selectors, each with the change from the month before; once per manager and month, through the
outbox; the editable template."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import tasks
from reports.breakdowns import satisfaction_split
from reports.metrics import ALL, numbers_by
from reports.monthly_summary import (
    CATCH_UP_DAYS,
    monthly_summaries_send,
    monthly_summary_mails,
    summary_key,
    summary_key_parts,
)
from reports.periods import period_from_query
from reports.scope import Scope
from reports.summary_numbers import COUNT, SHARE, TIME, change_text
from reports.templatetags.report_tags import business_time, percent
from responses.models import MailTemplate
from tests.factories import AdminFactory, DepartmentFactory, MembershipFactory, TechFactory
from tests.faults import broker_unreachable
from tests.reports.report_support import HOUR, UTC, at
from tickets import tasks as ticket_tasks
from tickets.closures import closure_feedback
from tickets.mail import outbox
from tickets.models import InboundEmail, OutboundEmail, SatisfactionMark, SatisfactionRating

pytestmark = pytest.mark.django_db

KYIV = ZoneInfo("Europe/Kyiv")
NEW_YORK = ZoneInfo("America/New_York")
BEAT = (6, 10)  # the beat's daily run, UTC
NOVEMBER_FIRST = datetime(2026, 11, 1, *BEAT, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def opted_in(user, *, zone: str = ""):
    user.monthly_summary = True
    user.time_zone = zone
    user.save(update_fields=["monthly_summary", "time_zone"])
    return user


@pytest.fixture
def maria(support_manager):
    return opted_in(support_manager)


@pytest.fixture
def run(mailoutbox, django_capture_on_commit_callbacks):
    """The beat's run at an instant (time travel), the outbox sending after the commit; the
    number of summaries written."""

    def run(when: datetime = NOVEMBER_FIRST) -> int:
        with at(when), django_capture_on_commit_callbacks(execute=True):
            return tasks.monthly_summaries()

    return run


def mails_to(mailoutbox, user) -> list:
    return [mail for mail in mailoutbox if mail.to == [user.email]]


def body_of(mailoutbox, user) -> str:
    (mail,) = mails_to(mailoutbox, user)
    return mail.body


def line(body: str, label: str) -> str:
    """The summary's line for one figure."""
    (found,) = [text for text in body.splitlines() if text.startswith(f"- {label}: ")]
    return found


_mail_numbers = iter(range(1, 10**6))


def mail_received(case, when):
    InboundEmail.objects.create(
        channel=InboundEmail.Channel.IMAP,
        raw_sha256=f"{next(_mail_numbers):064d}",
        status=InboundEmail.Status.REPLY,
        ticket=case.ticket,
        department_id=case.ticket.department_id,  # as the intake records it
        owner_id=case.ticket.assignee_id,
        received_at=when,
    )


def rated(case, when):
    mark, _created = SatisfactionMark.objects.get_or_create(label="Answer satisfies", score=10)
    SatisfactionRating.objects.create(
        ticket=case.ticket,
        mark=mark,
        score=mark.score,
        department=case.ticket.department,
        owner=case.tech,
        rated_at=when,
        changed_at=when,
    )
    closure_feedback(ticket_id=case.ticket.pk, at=when)


@pytest.fixture
def september(opened, support, tom):
    """One Support case: answered after an hour, closed an hour past its 8 h deadline, one mail."""
    start = utc(2026, 9, 14, 9)
    case = opened(start, tech=tom, department=support).reply(start + HOUR)
    case.close(start + 9 * HOUR)
    mail_received(case, start)
    return case


@pytest.fixture
def october(opened, support, legal, tom):
    """Support: four cases opened Monday 5 October 09:00 (deadline 17:00), closed on time,
    consulted and on time, past deadline, consulted and past deadline; one rated; three mails."""
    start = utc(2026, 10, 5, 9)
    exact = opened(start, tech=tom, department=support).reply(start + HOUR)
    exact.close(utc(2026, 10, 5, 17))
    consulted = opened(start, tech=tom, department=support).consult(start + HOUR, legal)
    consulted.close(utc(2026, 10, 5, 16))
    late = opened(start, tech=tom, department=support).close(utc(2026, 10, 5, 18))
    late_consulted = opened(start, tech=tom, department=support)
    late_consulted.consult(utc(2026, 10, 5, 18), legal).close(utc(2026, 10, 5, 19))
    rated(exact, utc(2026, 10, 6, 9))
    for case in (exact, consulted, late):
        mail_received(case, start)
    return exact, consulted, late, late_consulted


@pytest.fixture
def billing_october(opened, billing, bill):
    """Billing: two cases closed in October, one mail."""
    start = utc(2026, 10, 6, 9)
    cases = [opened(start, tech=bill, department=billing).close(start + HOUR) for _ in range(2)]
    mail_received(cases[0], start)
    return cases


# --- The numbers ----------------------------------------------------------------------------


def test_the_numbers_are_the_reports_numbers_for_the_month_and_departments(
    run, maria, support, september, october, billing_october, mailoutbox
):
    assert run() == 1

    body = body_of(mailoutbox, maria)
    last_month = period_from_query({"period": "last_month"}, zone=UTC, now=NOVEMBER_FIRST)
    numbers = numbers_by(last_month, Scope(department_ids=(support.pk,)))[ALL]
    ratings = satisfaction_split(last_month, Scope(department_ids=(support.pk,))).total
    assert line(body, "E-mails received").startswith(
        f"- E-mails received: {numbers.count('emails_received')} — "
    )
    assert numbers.count("emails_received") == 3
    assert line(body, "Cases closed").startswith(f"- Cases closed: {numbers.count('closed')} — ")
    on_time = numbers.count("closed_on_time") + numbers.count("closed_on_time_consulted")
    late = numbers.count("closed_late") + numbers.count("closed_late_consulted")
    assert (on_time, late) == (2, 2)
    assert line(body, "Closed on time").startswith(f"- Closed on time: {on_time} — ")
    assert line(body, "Closed past deadline").startswith(f"- Closed past deadline: {late} — ")
    within = percent(numbers.share("within_sla"))
    assert line(body, "Within SLA").startswith(f"- Within SLA: {within} — ")
    response = business_time(numbers.times["response_p50"])
    assert line(body, "First response, median").startswith(
        f"- First response, median: {response} — "
    )
    resolution = business_time(numbers.times["resolution_p50"])
    assert line(body, "Resolution, median").startswith(f"- Resolution, median: {resolution} — ")
    assert line(body, "Reopened").startswith(f"- Reopened: {numbers.count('reopened')} — ")
    feedback = percent(numbers.share("feedback"))
    assert line(body, "Share of closed cases with customer feedback").startswith(
        f"- Share of closed cases with customer feedback: {feedback} — "
    )
    assert ratings == 1
    assert line(body, "Satisfaction ratings").startswith("- Satisfaction ratings: 1 — ")


def test_each_number_says_its_change_from_the_month_before_in_words_and_an_arrow(
    run, maria, september, october, mailoutbox
):
    run()

    body = body_of(mailoutbox, maria)
    assert line(body, "E-mails received") == (
        "- E-mails received: 3 — ↑ 2 more (September 2026: 1)"
    )
    assert line(body, "Cases closed") == "- Cases closed: 4 — ↑ 3 more (September 2026: 1)"
    assert line(body, "Closed on time") == "- Closed on time: 2 — ↑ 2 more (September 2026: 0)"
    assert line(body, "Closed past deadline") == (
        "- Closed past deadline: 2 — ↑ 1 more (September 2026: 1)"
    )
    assert line(body, "Within SLA") == (
        "- Within SLA: 25.0 % — ↑ 25.0 percentage points higher (September 2026: 0.0 %)"
    )
    assert line(body, "First response, median") == (
        "- First response, median: 1 h — = no change (September 2026: 1 h)"
    )
    assert line(body, "Resolution, median") == (
        "- Resolution, median: 8 h 30 min — ↓ 30 min shorter (September 2026: 9 h)"
    )
    assert line(body, "Reopened") == "- Reopened: 0 — = no change (September 2026: 0)"
    assert line(body, "Share of closed cases with customer feedback") == (
        "- Share of closed cases with customer feedback: 25.0 % — ↑ 25.0 percentage points "
        "higher (September 2026: 0.0 %)"
    )
    assert line(body, "Satisfaction ratings") == (
        "- Satisfaction ratings: 1 — ↑ 1 more (September 2026: 0)"
    )


def test_a_month_with_nothing_before_it_says_no_earlier_data(run, maria, october, mailoutbox):
    run()

    body = body_of(mailoutbox, maria)
    numbers = [text for text in body.splitlines() if text.startswith("- ")]
    assert len(numbers) == 10
    assert all(text.endswith(" — no earlier data") for text in numbers)
    assert "- Cases closed: 4 — no earlier data" in numbers


def test_a_month_with_nothing_in_it_still_reads_against_the_month_before(
    run, maria, september, mailoutbox
):
    run()  # October: nothing; September: one case

    body = body_of(mailoutbox, maria)
    assert line(body, "Cases closed") == "- Cases closed: 0 — ↓ 1 fewer (September 2026: 1)"
    assert line(body, "Within SLA") == ("- Within SLA: none — September 2026: 0.0 %")
    assert line(body, "Resolution, median") == ("- Resolution, median: none — September 2026: 9 h")
    assert line(body, "Reopened") == "- Reopened: 0 — = no change (September 2026: 0)"


@pytest.mark.parametrize(
    ("kind", "value", "earlier", "expected"),
    [
        (COUNT, 5, 5, "= no change (May 2026: 5)"),
        (COUNT, 3, 5, "↓ 2 fewer (May 2026: 5)"),
        (COUNT, 6, 0, "↑ 6 more (May 2026: 0)"),
        (SHARE, 80.0, 75.5, "↑ 4.5 percentage points higher (May 2026: 75.5 %)"),
        (SHARE, 50.0, 75.0, "↓ 25.0 percentage points lower (May 2026: 75.0 %)"),
        (SHARE, 80.01, 80.04, "= no change (May 2026: 80.0 %)"),
        (SHARE, None, 75.0, "May 2026: 75.0 %"),
        (TIME, timedelta(hours=2), timedelta(hours=1), "↑ 1 h longer (May 2026: 1 h)"),
        (TIME, timedelta(minutes=50), timedelta(hours=1), "↓ 10 min shorter (May 2026: 1 h)"),
        (
            TIME,
            timedelta(seconds=70),
            timedelta(seconds=40),
            "= no change (May 2026: less than a minute)",
        ),
        (TIME, None, timedelta(hours=3), "May 2026: 3 h"),
    ],
)
def test_the_change_is_a_difference_in_words_never_a_ratio(kind, value, earlier, expected):
    assert change_text(kind, value, earlier, "May 2026") == expected


# --- Whose numbers, to whom -------------------------------------------------------------------


def test_a_manager_of_support_never_gets_billings_numbers(run, maria, billing_october, mailoutbox):
    run()

    mail = mails_to(mailoutbox, maria)[0]
    assert mail.subject == "Helpdesk summary for October 2026: Support"
    assert "for Support, each with the change" in mail.body
    assert "Billing" not in mail.body
    assert line(mail.body, "Cases closed") == "- Cases closed: 0 — no earlier data"
    assert line(mail.body, "E-mails received") == "- E-mails received: 0 — no earlier data"


def test_a_manager_of_two_departments_gets_both_together(
    run, maria, billing, october, billing_october, mailoutbox
):
    MembershipFactory(user=maria, department=billing, is_manager=True)

    run()

    mail = mails_to(mailoutbox, maria)[0]
    assert mail.subject == "Helpdesk summary for October 2026: Billing, Support"
    assert line(mail.body, "Cases closed").startswith("- Cases closed: 6 — ")


def test_an_admin_gets_every_department(run, october, billing_october, mailoutbox):
    ada = opted_in(AdminFactory(full_name="Ada Admin"))

    run()

    mail = mails_to(mailoutbox, ada)[0]
    assert mail.subject == "Helpdesk summary for October 2026: every department"
    assert "Hello Ada Admin," in mail.body
    assert line(mail.body, "Cases closed").startswith("- Cases closed: 6 — ")
    assert line(mail.body, "E-mails received").startswith("- E-mails received: 4 — ")


def test_opted_out_managers_techs_and_customers_get_nothing(
    run, support_manager, support, tom, mailoutbox
):
    opted_in(tom)  # asked for it somehow, but manages nothing
    opted_in(TechFactory(full_name="Gone Manager", is_active=False))
    MembershipFactory(
        user=TechFactory.create(full_name="Quiet"), department=support, is_manager=True
    )
    closed = DepartmentFactory(name="Closed", slug="closed", is_active=False)
    former = opted_in(TechFactory(full_name="Manager of a closed department"))
    MembershipFactory(user=former, department=closed, is_manager=True)
    assert not support_manager.monthly_summary  # the default: not asked for

    assert run() == 0

    assert mailoutbox == []
    assert not OutboundEmail.objects.filter(kind=outbox.MONTHLY_SUMMARY).exists()


def test_a_second_run_in_the_same_month_sends_nothing_new(run, maria, october, mailoutbox):
    assert run() == 1
    assert run(NOVEMBER_FIRST + timedelta(hours=3)) == 0
    assert run(NOVEMBER_FIRST + timedelta(days=1)) == 0

    assert len(mails_to(mailoutbox, maria)) == 1
    row = OutboundEmail.objects.get(kind=outbox.MONTHLY_SUMMARY)
    assert row.idempotency_key == f"monthly-summary:{maria.pk}:2026-10"
    assert row.status == OutboundEmail.Status.SENT
    assert run(datetime(2026, 12, 1, *BEAT, tzinfo=UTC)) == 1  # December: November's
    assert len(mails_to(mailoutbox, maria)) == 2


def test_two_runs_at_once_write_one_summary(maria):
    """Two beats (or a retried task) writing the same month: the key keeps one row."""
    with at(NOVEMBER_FIRST):
        monthly_summaries_send()
        OutboundEmail.objects.filter(kind=outbox.MONTHLY_SUMMARY).update(
            status=OutboundEmail.Status.PENDING
        )
        assert monthly_summaries_send() == 0
    assert OutboundEmail.objects.filter(kind=outbox.MONTHLY_SUMMARY).count() == 1


# --- When: on each manager's own first day ----------------------------------------------------


def test_kyiv_and_new_york_each_get_it_on_their_own_first_day(run, support, mailoutbox):
    kyiv = opted_in(TechFactory(full_name="Kateryna Kyiv"), zone="Europe/Kyiv")
    new_york = opted_in(TechFactory(full_name="Nina New York"), zone="America/New_York")
    for manager in (kyiv, new_york):
        MembershipFactory(user=manager, department=support, is_manager=True)

    # 31 October 22:30 UTC: already 1 November 00:30 in Kyiv, still 31 October in New York.
    assert run(utc(2026, 10, 31, 22, 30)) == 1
    assert [mail.to for mail in mailoutbox] == [[kyiv.email]]
    assert mailoutbox[0].subject.startswith("Helpdesk summary for October 2026")
    # 1 November 04:30 UTC: 00:30 in New York (EDT ends that night at 06:00 UTC).
    assert run(utc(2026, 11, 1, 4, 30)) == 1
    assert [mail.to for mail in mailoutbox][1:] == [[new_york.email]]
    assert "October 2026" in mailoutbox[1].subject


def test_the_daily_beat_reaches_each_zone_on_its_local_first(run, support, mailoutbox):
    """At 06:10 UTC it is already the 1st in Kyiv and New York, still the 31st in Los Angeles:
    Los Angeles gets its summary from the next day's run, on its own 1st."""
    managers = {}
    for zone in ("Europe/Kyiv", "America/New_York", "America/Los_Angeles"):
        managers[zone] = opted_in(TechFactory(full_name=zone), zone=zone)
        MembershipFactory(user=managers[zone], department=support, is_manager=True)

    assert run(utc(2026, 10, 31, *BEAT)) == 0
    assert run(NOVEMBER_FIRST) == 2
    assert run(NOVEMBER_FIRST + timedelta(days=1)) == 1
    assert mails_to(mailoutbox, managers["America/Los_Angeles"])[0].subject.startswith(
        "Helpdesk summary for October 2026"
    )


def test_a_missed_first_is_made_up_on_the_second_and_a_late_week_waits_a_month(
    run, maria, mailoutbox
):
    assert run(datetime(2026, 11, 2, *BEAT, tzinfo=UTC)) == 1  # the beat was down on the 1st
    assert len(mails_to(mailoutbox, maria)) == 1

    assert run(datetime(2026, 12, CATCH_UP_DAYS + 1, *BEAT, tzinfo=UTC)) == 0
    assert run(datetime(2027, 1, 1, *BEAT, tzinfo=UTC)) == 1
    assert not OutboundEmail.objects.filter(idempotency_key__endswith=":2026-11").exists()


def test_the_month_is_the_managers_calendar_month(run, support, opened, tom, mailoutbox):
    """A case closed 31 October 23:30 UTC closed on 1 November in Kyiv: October's summary in
    UTC counts it, Kyiv's does not."""
    utc_manager = opted_in(TechFactory(full_name="Uma UTC"), zone="UTC")
    kyiv = opted_in(TechFactory(full_name="Kateryna Kyiv"), zone="Europe/Kyiv")
    for manager in (utc_manager, kyiv):
        MembershipFactory(user=manager, department=support, is_manager=True)
    opened(utc(2026, 10, 31, 22), tech=tom, department=support).close(utc(2026, 10, 31, 23, 30))

    run(datetime(2026, 11, 2, *BEAT, tzinfo=UTC))

    assert line(body_of(mailoutbox, utc_manager), "Cases closed").startswith("- Cases closed: 1")
    assert line(body_of(mailoutbox, kyiv), "Cases closed").startswith("- Cases closed: 0")


# --- Through the outbox ---------------------------------------------------------------------


def test_with_the_broker_down_the_row_waits_in_the_outbox_and_goes_once_later(
    maria, october, mailoutbox, django_capture_on_commit_callbacks
):
    OutboundEmail.objects.all().delete()  # the October cases' own mail
    with at(NOVEMBER_FIRST), broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        assert monthly_summaries_send() == 1

    row = OutboundEmail.objects.get(kind=outbox.MONTHLY_SUMMARY)
    assert row.status == OutboundEmail.Status.PENDING
    assert row.to == maria.email
    assert mailoutbox == []

    with at(NOVEMBER_FIRST + timedelta(minutes=5)):
        assert ticket_tasks.outbox_sweep_due() == 1  # the broker is back
    with at(NOVEMBER_FIRST + timedelta(minutes=30)):
        assert ticket_tasks.outbox_sweep_due() == 0
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT
    assert len(mailoutbox) == 1
    assert "- Cases closed: 4 — no earlier data" in mailoutbox[0].body


def test_the_mail_is_plain_text_to_staff_with_absolute_links(run, maria, mailoutbox):
    run()

    mail = mails_to(mailoutbox, maria)[0]
    assert f"{settings.SITE_URL}/reports/?period=last_month\n" in mail.body
    assert f"{settings.SITE_URL}/accounts/preferences/#monthly-summary" in mail.body
    assert "Hello Maria Manager," in mail.body
    assert mail.alternatives == []
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "{{" not in mail.body and "{{" not in mail.subject


def test_someone_who_unticked_it_or_stopped_managing_before_it_went_out_is_not_sent_it(
    maria, support, mailoutbox
):
    with at(NOVEMBER_FIRST):
        monthly_summaries_send()  # no on-commit here: the rows wait
    row = OutboundEmail.objects.get(kind=outbox.MONTHLY_SUMMARY)
    maria.monthly_summary = False
    maria.save(update_fields=["monthly_summary"])
    assert "no longer wants" in monthly_summary_mails([row])[0].reason

    maria.monthly_summary = True
    maria.save(update_fields=["monthly_summary"])
    maria.memberships.update(is_manager=False)
    assert "no longer manages" in monthly_summary_mails([row])[0].reason

    maria.is_active = False
    maria.save(update_fields=["is_active"])
    assert "no longer an active staff member" in monthly_summary_mails([row])[0].reason


def test_keys_name_the_manager_and_the_month():
    key = summary_key(user_id=42, month=datetime(2026, 10, 1).date())
    assert key == "monthly-summary:42:2026-10"
    assert summary_key_parts(key) == (42, datetime(2026, 10, 1).date())
    for other in ("digest:42:2026-10-01T10", "monthly-summary:x:2026-10", "monthly-summary:4:13"):
        assert summary_key_parts(other) is None


# --- The editable template ------------------------------------------------------------------


def test_an_admins_edit_of_the_template_is_used(run, maria, october, mailoutbox):
    MailTemplate.objects.create(
        key=MailTemplate.Key.MONTHLY_SUMMARY,
        subject="Numbers of {{ summary_month }}",
        body="Dear {{ recipient_name }}:\n{{ summary_numbers }}\nMore: {{ report_link }}",
    )

    run()

    mail = mails_to(mailoutbox, maria)[0]
    assert mail.subject == "Numbers of October 2026"
    assert mail.body.startswith("Dear Maria Manager:\n- E-mails received: 3 — no earlier data\n")
    assert mail.body.endswith(f"More: {settings.SITE_URL}/reports/?period=last_month")


def test_the_only_department_of_a_manager_may_have_its_own_version(run, maria, support, mailoutbox):
    MailTemplate.objects.create(
        key=MailTemplate.Key.MONTHLY_SUMMARY, department=support, subject="Support's", body="s"
    )

    run()

    assert mails_to(mailoutbox, maria)[0].subject == "Support's"


# --- Cost ----------------------------------------------------------------------------------


def managers(count: int, department) -> list:
    people = [opted_in(TechFactory(full_name=f"Manager {n}")) for n in range(count)]
    for person in people:
        MembershipFactory(user=person, department=department, is_manager=True)
    return people


def closed_cases(opened, tom, support, count: int) -> None:
    start = utc(2026, 10, 12, 9)
    for n in range(count):
        opened(start, tech=tom, department=support).reply(start + HOUR).close(start + n * HOUR)


@pytest.mark.parametrize(("cases", "people"), [(2, 1), (10, 3)])
def test_the_run_costs_the_same_queries_however_many_cases_and_managers(
    opened, tom, support, django_assert_num_queries, cases, people
):
    """Who asked, which of their summaries exist, the insert (and the savepoint around it)."""
    closed_cases(opened, tom, support, cases)
    managers(people, support)

    with at(NOVEMBER_FIRST), django_assert_num_queries(5):
        assert monthly_summaries_send() == people


def test_rendering_costs_a_fixed_number_of_queries_per_manager_never_per_case(
    opened, tom, support, maria
):
    """Sending reads each summary's numbers for its manager: a fixed number of queries per
    manager, the same for 2 and 10 cases. The manager (1), their departments (1), for each of
    the two months the report's five sums and the ratings by mark and the marks (7), the
    template (1); a month with ratings adds their average."""
    with at(NOVEMBER_FIRST):
        monthly_summaries_send()
    rows = list(OutboundEmail.objects.filter(kind=outbox.MONTHLY_SUMMARY))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            monthly_summary_mails(rows)
        return len(captured)

    closed_cases(opened, tom, support, 2)
    with_two = queries()
    closed_cases(opened, tom, support, 8)
    assert queries() == with_two
    assert with_two == 19  # two periods, each: its daily counts read in one statement


def test_the_beat_runs_the_summary_daily_early_morning_utc():
    from celery.schedules import crontab

    entry = settings.CELERY_BEAT_SCHEDULE["monthly-summaries"]
    assert entry["task"] == "reports.tasks.monthly_summaries"
    assert entry["schedule"] == crontab(hour=6, minute=10)
    assert settings.CELERY_TIMEZONE == "UTC"


def test_someone_without_a_time_zone_gets_it_on_the_helpdesks_default_zones_first(
    run, maria, settings, mailoutbox
):
    settings.DEFAULT_USER_TIME_ZONE = "Europe/Kyiv"

    assert run(utc(2026, 10, 31, 22, 30)) == 1  # 00:30 on 1 November in Kyiv
    assert mails_to(mailoutbox, maria)[0].subject.startswith("Helpdesk summary for October 2026")
