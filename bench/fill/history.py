"""What the reports count about cases, written as the product would have over two years:
consultations (with the messages that asked and answered them), a closing row for each closing of
a case (tickets/closures.py), reopenings with the customer's message that caused them, and
satisfaction ratings. Each table is one INSERT ... SELECT in the order the product would have
written its rows (asked, closed, rated), so the heap follows time as it does in production.

The draws shared between two tables (which cases reopened, which were rated and when) are made
once into a temporary table, so a case's closing and its rating agree."""

from bench.fill.shape import (
    AUTO_CLOSED,
    BODIES,
    CONSULTED_AFTER_DEADLINE,
    CONSULTED_LATE,
    CONSULTED_OTHERS,
    CONSULTED_TWICE,
    MARK_SHARES,
    RATED,
    RATING_COMMENTS,
    REOPENED,
    SPAM_CLOSED,
)
from bench.fill.staff import Staff

CONSULTATIONS_SQL = """
CREATE TEMPORARY TABLE bench_consultation ON COMMIT DROP AS
WITH cases AS (
    SELECT t.id AS ticket_id, t.department_id AS ticket_department_id, t.assignee_id,
           t.created_at, t.resolution_due_at AS deadline, coalesce(t.closed_at, now()) AS ended,
           coalesce(t.closed_at > t.resolution_due_at, false) AS late,
           random() AS r_pick, random() AS r_late, random() AS r_at, random() AS r_department,
           random() AS r_twice
    FROM tickets_ticket AS t
    WHERE t.assignee_id IS NOT NULL
), picked AS (
    -- Late cases were mostly consulted after the deadline (between it and the closing); the
    -- others in the first four fifths of the time they had.
    SELECT c.*,
           CASE WHEN late AND r_late < %(after_deadline)s
                THEN deadline + (ended - deadline) * r_at * 0.9
                ELSE created_at + (least(deadline, ended) - created_at) * r_at * 0.8
           END AS first_asked_at,
           r_twice < %(twice)s AS twice
    FROM cases AS c
    WHERE r_pick < CASE WHEN late THEN %(late_share)s ELSE %(share)s END
), asked AS (
    SELECT p.*, n.seq,
           CASE n.seq WHEN 1 THEN first_asked_at
                      ELSE first_asked_at + (ended - first_asked_at) * 0.5 END AS asked_at
    FROM picked AS p
    CROSS JOIN LATERAL generate_series(1, CASE WHEN twice THEN 2 ELSE 1 END) AS n(seq)
)
-- Answered before the next one was asked (one open consultation per case at most), and every
-- one answered before the case closed.
SELECT ticket_id, ticket_department_id, assignee_id AS asked_by_id, deadline, asked_at,
       asked_at + (CASE WHEN twice AND seq = 1 THEN first_asked_at + (ended - first_asked_at) * 0.5
                        ELSE ended END - asked_at) * 0.6 AS answered_at,
       seq = 1 AS first_of_case,
       (%(department_ids)s::bigint[])[1 + mod(
           array_position(%(department_ids)s::bigint[], ticket_department_id)
           + floor(r_department * (%(departments)s - 1))::int, %(departments)s)] AS department_id,
       nextval(pg_get_serial_sequence('tickets_message', 'id')) AS question_id,
       nextval(pg_get_serial_sequence('tickets_message', 'id')) AS answer_id
FROM asked
"""

CONSULTATION_ROWS_SQL = """
INSERT INTO tickets_message (
    id, ticket_id, kind, author_id, author_customer_id, author_name, body, event_data,
    created_at, awaiting_approval, email_message_id, emailed_at, activity, department_id,
    rejection_reason
)
SELECT id, ticket_id, kind, author_id, NULL, author_name, body, '{}'::jsonb, created_at, false,
       email_message_id, emailed_at, activity, department_id, ''
FROM (
    SELECT c.question_id AS id, c.ticket_id, 'consultation_out' AS kind, c.asked_by_id AS author_id,
           u.full_name AS author_name, %(question)s AS body, c.asked_at AS created_at,
           '<consultation-' || c.question_id || '@bench.example.com>' AS email_message_id,
           c.asked_at AS emailed_at, '' AS activity, NULL::bigint AS department_id
    FROM bench_consultation AS c JOIN accounts_user AS u ON u.id = c.asked_by_id
    UNION ALL
    SELECT c.answer_id, c.ticket_id, 'consultation_in', NULL, d.name, %(answer)s, c.answered_at,
           '', NULL, 'consultation_answer', c.ticket_department_id
    FROM bench_consultation AS c JOIN departments_department AS d ON d.id = c.department_id
) AS m
ORDER BY created_at;

INSERT INTO tickets_consultation (
    ticket_id, department_id, asked_by_id, question_id, answer_id, asked_at, answered_at,
    due_at_when_asked, deadline_when_asked, first_of_case, case_department_id, case_owner_id
)
SELECT ticket_id, department_id, asked_by_id, question_id, answer_id, asked_at, answered_at,
       deadline, deadline, first_of_case, ticket_department_id, asked_by_id
FROM bench_consultation
ORDER BY asked_at
"""

CLOSINGS_SQL = """
CREATE TEMPORARY TABLE bench_closing ON COMMIT DROP AS
SELECT e.*, first_closed_at + (closed_at - first_closed_at) * 0.3 AS reopened_at
FROM (
    SELECT d.*,
           -- A reopened case: closed half-way through, reopened by the customer's mail, and
           -- its resolution clock started again (tickets/sla/clocks.py) until it closed again.
           CASE WHEN reopened THEN coalesce(first_response_at, created_at)
                                   + (closed_at - coalesce(first_response_at, created_at)) * 0.5
           END AS first_closed_at,
           CASE WHEN rated THEN closed_at + r_delay * r_delay * interval '3 days' END AS rated_at
    FROM (
        SELECT t.id AS ticket_id, t.department_id, t.assignee_id AS owner_id, t.customer_id,
               t.created_at, t.closed_at, t.resolution_due_at, t.resolution_limit,
               t.response_due_at, t.first_response_at, t.response_used, t.resolution_used,
               CASE WHEN r_reason < %(auto)s THEN 'auto_closed'
                    WHEN r_reason < %(auto)s + %(spam)s THEN 'spam' ELSE 'closed' END AS reason,
               r_reason >= %(auto)s + %(spam)s AND r_reopen < %(reopened)s AS reopened,
               -- Rated within three days of the closing, if that is before now.
               r_reason >= %(auto)s + %(spam)s AND r_rating < %(rated)s
                   AND t.closed_at + r_delay * r_delay * interval '3 days' < now() AS rated,
               r_mark, r_comment, r_delay
        FROM (
            SELECT t.*, random() AS r_reason, random() AS r_reopen, random() AS r_rating,
                   random() AS r_mark, random() AS r_comment, random() AS r_delay
            FROM tickets_ticket AS t WHERE t.status_type = 'closed'
        ) AS t
    ) AS d
) AS e
"""

CLOSING_ROWS_SQL = """
-- The last closing of a reopened case: its resolution clock restarted at the reopening.
UPDATE tickets_ticket AS t
SET resolution_started_at = c.reopened_at,
    resolution_used = t.closed_at - c.reopened_at,
    resolution_due_at = c.reopened_at + t.resolution_limit
FROM bench_closing AS c
WHERE c.reopened AND t.id = c.ticket_id;

INSERT INTO tickets_closure (
    ticket_id, department_id, owner_id, reason, closed_at, deadline, response_due_at,
    first_response_at, response_used, resolution_used, reopened_at, superseded_at, feedback_at,
    consulted
)
SELECT x.*, EXISTS (
    SELECT 1 FROM tickets_consultation AS k
    WHERE k.ticket_id = x.ticket_id AND k.asked_at <= x.closed_at
)
FROM (
    -- Every case's last closing; a rating is feedback on it.
    SELECT c.ticket_id, c.department_id, c.owner_id, c.reason, c.closed_at,
           CASE WHEN reopened THEN reopened_at + resolution_limit ELSE resolution_due_at END,
           c.response_due_at, c.first_response_at,
           CASE WHEN c.first_response_at IS NOT NULL THEN c.response_used END,
           CASE WHEN reopened THEN c.closed_at - reopened_at ELSE c.resolution_used END,
           NULL::timestamptz, NULL::timestamptz, c.rated_at
    FROM bench_closing AS c
    UNION ALL
    -- The first closing of a reopened case: undone by the customer's mail (its feedback) and
    -- superseded by the last one.
    SELECT c.ticket_id, c.department_id, c.owner_id, c.reason, c.first_closed_at,
           c.resolution_due_at, c.response_due_at,
           CASE WHEN c.first_response_at <= c.first_closed_at THEN c.first_response_at END,
           CASE WHEN c.first_response_at <= c.first_closed_at THEN c.response_used END,
           least(c.resolution_used, c.first_closed_at - c.created_at),
           c.reopened_at, c.closed_at, c.reopened_at
    FROM bench_closing AS c WHERE reopened
) AS x (ticket_id, department_id, owner_id, reason, closed_at, deadline, response_due_at,
        first_response_at, response_used, resolution_used, reopened_at, superseded_at,
        feedback_at)
ORDER BY x.closed_at;

-- The customer's mail that reopened the case, as the intake writes it.
INSERT INTO tickets_message (
    ticket_id, kind, author_id, author_customer_id, author_name, body, event_data, created_at,
    awaiting_approval, email_message_id, emailed_at, activity, department_id, rejection_reason
)
SELECT c.ticket_id, 'customer', NULL, c.customer_id, u.name, %(reopen_body)s, '{}'::jsonb,
       c.reopened_at, false, '', NULL, 'customer_message', c.department_id, ''
FROM bench_closing AS c JOIN accounts_customer AS u ON u.id = c.customer_id
WHERE c.reopened
ORDER BY c.reopened_at;

INSERT INTO tickets_satisfactionrating (
    ticket_id, mark_id, score, comment, department_id, owner_id, rated_at, changed_at
)
SELECT c.ticket_id, m.id, m.score,
       CASE WHEN r_comment < 0.3
            THEN (%(comments)s::text[])[1 + floor(r_comment / 0.3 * %(comment_count)s)::int]
            ELSE '' END,
       c.department_id, c.owner_id, c.rated_at, c.rated_at
FROM bench_closing AS c
JOIN (
    SELECT id, score, row_number() OVER (ORDER BY position, id) AS n
    FROM tickets_satisfactionmark
) AS m ON m.n = 1 + width_bucket(c.r_mark, %(mark_cuts)s::float8[])
WHERE c.rated
ORDER BY c.rated_at
"""


def _cuts(shares: list[float]) -> list[float]:
    cuts, total = [], 0.0
    for share in shares[:-1]:
        total += share
        cuts.append(round(total, 6))
    return cuts


def consultations_insert(cursor, staff: Staff) -> None:
    """About 8% of the cases with an owner were consulted, a sixth of them twice; a quarter of
    first consultations went out after the case's deadline. Each has its question and its
    answer in the thread."""
    cursor.execute(
        CONSULTATIONS_SQL,
        {
            "after_deadline": CONSULTED_AFTER_DEADLINE,
            "twice": CONSULTED_TWICE,
            "late_share": CONSULTED_LATE,
            "share": CONSULTED_OTHERS,
            "department_ids": staff.department_ids,
            "departments": len(staff.department_ids),
        },
    )
    cursor.execute(CONSULTATION_ROWS_SQL, {"question": BODIES[4], "answer": BODIES[6]})


def closings_insert(cursor) -> None:
    """A closing for every closed case (two for the 5% reopened), the reopening customer mails
    and the ratings of a fifth of the closed cases. The seeded satisfaction marks are rated."""
    cursor.execute("SELECT count(*) FROM tickets_satisfactionmark")
    if cursor.fetchone()[0] != len(MARK_SHARES):
        raise RuntimeError(
            f"the bench expects the {len(MARK_SHARES)} satisfaction marks that migration"
            " tickets 0020 seeds"
        )
    # A fifth of all closed cases rated, drawn among those a tech closed.
    rated = RATED / (1 - AUTO_CLOSED - SPAM_CLOSED)
    cursor.execute(
        CLOSINGS_SQL,
        {"auto": AUTO_CLOSED, "spam": SPAM_CLOSED, "reopened": REOPENED, "rated": rated},
    )
    cursor.execute(
        CLOSING_ROWS_SQL,
        {
            "reopen_body": BODIES[2],
            "comments": RATING_COMMENTS,
            "comment_count": len(RATING_COMMENTS),
            "mark_cuts": _cuts(MARK_SHARES),
        },
    )
