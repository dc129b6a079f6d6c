"""Two years of what came in by mail and who signed in when: a mailbox per department, every
inbound mail the reports count (and the spam and automatic replies they must not), and the techs'
sign-ins and sign-outs. Each is one INSERT ... SELECT in time order, as the product writes them."""

from bench.fill.shape import IGNORED_MAILS, SESSIONS_EXPIRED, SIGN_IN_DAYS, SPAM_MAILS

MAILBOXES_SQL = """
INSERT INTO departments_mailbox (
    name, department_id, email_address, protocol, host, port, security, verify_certificate,
    username, password_encrypted, folder, auto_response, is_active, imap_last_uid, last_error
)
SELECT name, id, slug || '@support.example.com', 'imap', 'mail.example.com', 993, 'tls', true,
       slug, '', 'INBOX', 'department', false, 0, ''
FROM departments_department
"""

# The accepted mails: the first mail of each case opened by mail, 0-2 later customer mails on
# every case (spread over its life), the answer to each consultation and the mail that reopened
# each reopened case, each with its case's department and owner when it arrived (as the intake
# records them for the reports); then spam and automatic replies, never counted. Numbered in
# arrival order, which also makes each row's hashes, Message-ID and server id unique.
INBOUND_SQL = """
INSERT INTO tickets_inboundemail (
    channel, server_uid, message_id_header, content_fingerprint, raw_sha256, raw, size,
    from_address, subject, status, error, spam_score, spam_learned_as, received_at,
    processed_at, mailbox_id, message_id, ticket_id, department_id, owner_id
)
SELECT 'imap', n::text, '<bench-' || n || '@mail.example.net>',
       encode(sha256(convert_to('fingerprint ' || n, 'UTF8')), 'hex'),
       encode(sha256(convert_to('raw ' || n, 'UTF8')), 'hex'),
       'bench/mail/' || n || '.eml', 1500 + mod(n * 7919, 40000), from_address, subject,
       status, error, spam_score, '', received_at, received_at + interval '3 seconds',
       mb.id, NULL, ticket_id, CASE WHEN ticket_id IS NOT NULL THEN numbered.department_id END,
       owner_id
FROM (
    SELECT row_number() OVER (ORDER BY received_at) AS n, m.*
    FROM (
        -- The mail that opened a case arrived before anyone owned it.
        SELECT t.id AS ticket_id, t.department_id, NULL::bigint AS owner_id, 'ticket' AS status,
               t.created_at AS received_at,
               'customer' || t.customer_id || '@example.net' AS from_address, t.subject,
               '' AS error, 0.05 AS spam_score
        FROM tickets_ticket AS t WHERE t.source = 'email'
        UNION ALL
        SELECT t.id, t.department_id, t.assignee_id, 'reply',
               t.created_at + (coalesce(t.closed_at, now()) - t.created_at)
                              * ((r.i - random() * 0.9) / r.mails),
               'customer' || t.customer_id || '@example.net', 'Re: ' || t.subject, '', 0.08
        FROM tickets_ticket AS t
        CROSS JOIN LATERAL (
            SELECT i, mails FROM (
                SELECT mod(hashint8(-t.id)::bigint + 2147483648, 3)::int AS mails
            ) AS k, generate_series(1, k.mails) AS i
        ) AS r
        UNION ALL
        SELECT k.ticket_id, t.department_id, t.assignee_id, 'consultation', k.answered_at,
               d.slug || '@support.example.com', 'Re: [consultation] ' || t.subject, '', 0.02
        FROM tickets_consultation AS k
        JOIN tickets_ticket AS t ON t.id = k.ticket_id
        JOIN departments_department AS d ON d.id = k.department_id
        WHERE k.answered_at IS NOT NULL
        UNION ALL
        SELECT c.ticket_id, c.department_id, c.owner_id, 'reply', c.reopened_at,
               'customer' || t.customer_id || '@example.net', 'Re: ' || t.subject, '', 0.08
        FROM tickets_closure AS c JOIN tickets_ticket AS t ON t.id = c.ticket_id
        WHERE c.reopened_at IS NOT NULL
        UNION ALL
        SELECT NULL, (%(department_ids)s::bigint[])[1 + mod(g, %(departments)s)], NULL, 'spam',
               now() - random() * interval '730 days',
               'offers' || mod(g, 997) || '@promo.example.org', 'You have been selected!',
               '', 0.97
        FROM generate_series(1, %(spam)s) AS g
        UNION ALL
        SELECT NULL, (%(department_ids)s::bigint[])[1 + mod(g, %(departments)s)], NULL,
               'ignored',
               now() - random() * interval '730 days',
               'customer' || (1 + mod(g * 31, 50000)) || '@example.net',
               'Automatic reply: out of office', 'automatic mail to an existing ticket', 0.1
        FROM generate_series(1, %(ignored)s) AS g
    ) AS m
) AS numbered
JOIN departments_mailbox AS mb ON mb.department_id = numbered.department_id
ORDER BY n
"""

# Each tech, on SIGN_IN_DAYS of the working days of the last two years: a sign-in between 07:00
# and 09:00 UTC and its end (a sign-out, or an expired session dated at the last activity)
# between 15:30 and 18:00. Ids are taken first, so the end can point at its sign-in.
SIGN_INS_SQL = """
INSERT INTO accounts_loginevent (
    id, kind, user_id, email, at, ip_address, user_agent, session_key, last_activity_at,
    sign_in_id
)
SELECT e.id, e.kind, p.user_id, p.email, e.at, e.ip_address, %(agent)s, p.session_key,
       e.last_activity_at, e.sign_in_id
FROM (
    SELECT s.*, nextval(pg_get_serial_sequence('accounts_loginevent', 'id')) AS in_id,
           nextval(pg_get_serial_sequence('accounts_loginevent', 'id')) AS out_id
    FROM (
        SELECT u.id AS user_id, u.email,
               day + interval '7 hours' + random() * interval '2 hours' AS signed_in,
               day + interval '15 hours 30 minutes' + random() * interval '150 minutes'
                   AS signed_out,
               random() < %(expired)s AS expired,
               ('10.20.' || mod(u.id, 250) || '.' || (1 + mod(u.id * 7, 250)))::inet AS ip,
               md5(u.id || ' ' || day) AS session_key
        FROM accounts_user AS u
        CROSS JOIN generate_series(
            date_trunc('day', now()) - interval '730 days', date_trunc('day', now()),
            interval '1 day'
        ) AS day
        WHERE u.kind = 'staff' AND NOT u.is_superuser AND extract(isodow FROM day) < 6
          AND day + interval '18 hours' < now() AND random() < %(days)s
    ) AS s
) AS p
CROSS JOIN LATERAL (
    VALUES (p.in_id, 'sign_in', p.signed_in, p.ip, p.signed_out, NULL::bigint),
           (p.out_id, CASE WHEN p.expired THEN 'session_expired' ELSE 'sign_out' END,
            p.signed_out, CASE WHEN p.expired THEN NULL ELSE p.ip END, NULL, p.in_id)
) AS e (id, kind, at, ip_address, last_activity_at, sign_in_id)
ORDER BY e.at
"""


def mailboxes_insert(cursor) -> None:
    cursor.execute(MAILBOXES_SQL)


def inbound_insert(cursor, *, tickets: int, department_ids: list[int]) -> None:
    """About 1.6 accepted mails per ticket, and spam and automatic replies beside them."""
    cursor.execute(
        INBOUND_SQL,
        {
            "department_ids": department_ids,
            "departments": len(department_ids),
            "spam": round(tickets * SPAM_MAILS),
            "ignored": round(tickets * IGNORED_MAILS),
        },
    )


def sign_ins_insert(cursor) -> None:
    cursor.execute(
        SIGN_INS_SQL,
        {
            "agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
            "expired": SESSIONS_EXPIRED,
            "days": SIGN_IN_DAYS,
        },
    )
