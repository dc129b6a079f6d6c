"""The few hundred rows written one by one: techs, departments, memberships, categories and
canned responses, and the ids the bulk writers draw from."""

import random
from dataclasses import dataclass
from datetime import timedelta

from bench.fill.shape import (
    ADMIN_EMAIL,
    BODIES,
    CANNED_TITLES,
    DEPARTMENTS,
    FIRST_NAMES,
    MEASURED_MEMBERSHIPS,
    MEASURED_TECH_EMAIL,
    RESOLUTION_FACTOR,
    TECHS,
)


@dataclass(frozen=True)
class Staff:
    """The ids the tickets and threads are drawn from."""

    measured_tech_id: int
    department_ids: list[int]
    measured_department_ids: list[int]
    department_limits: list[timedelta]  # first response
    resolution_limits: list[timedelta]
    first_category_ids: list[int]
    # Techs of each department (the measured tech left out), flattened: department i's techs
    # are tech_ids[offsets[i] : offsets[i] + counts[i]].
    tech_ids: list[int]
    tech_offsets: list[int]
    tech_counts: list[int]
    statuses: dict[str, int]


def staff_insert(cursor, rng: random.Random) -> Staff:
    """Techs, an admin, departments, memberships, categories and canned responses; the
    measured tech works in the MEASURED_MEMBERSHIPS departments and manages none."""
    tech_ids = []
    for index in range(TECHS):
        email = MEASURED_TECH_EMAIL if index == 0 else f"tech{index}@bench.example.com"
        name = "Measured Tech" if index == 0 else f"{rng.choice(FIRST_NAMES)} Tech{index}"
        cursor.execute(
            "INSERT INTO accounts_user (password, is_superuser, email, full_name, kind,"
            " replies_need_approval, time_zone, is_active, date_joined,"
            " reply_as_note_by_default, signature_image, signature_text, activity_seen_up_to)"
            " VALUES ('!', false, %s, %s, 'staff', false, '', true,"
            " now() - interval '3 years', false, '', '', 0) RETURNING id",
            [email, name],
        )
        tech_ids.append(cursor.fetchone()[0])
    # The admin who reads every department's reports (works in none).
    cursor.execute(
        "INSERT INTO accounts_user (password, is_superuser, email, full_name, kind,"
        " replies_need_approval, time_zone, is_active, date_joined,"
        " reply_as_note_by_default, signature_image, signature_text, activity_seen_up_to)"
        " VALUES ('!', true, %s, 'Bench Admin', 'staff', false, '', true,"
        " now() - interval '3 years', false, '', '', 0)",
        [ADMIN_EMAIL],
    )

    department_ids, limits, resolution_limits = [], [], []
    for name, hours, _share in DEPARTMENTS:
        resolution = timedelta(hours=hours * RESOLUTION_FACTOR)
        cursor.execute(
            "INSERT INTO departments_department (name, slug, consultation_email,"
            " response_time_limit, resolution_time_limit, is_active, created_at,"
            " auto_response_enabled, sla_warning_enabled)"
            " VALUES (%s, %s, '', %s, %s, true, now() - interval '3 years', true, false)"
            " RETURNING id",
            [name, name.lower().replace(" ", "-"), timedelta(hours=hours), resolution],
        )
        department_ids.append(cursor.fetchone()[0])
        limits.append(timedelta(hours=hours))
        resolution_limits.append(resolution)

    # Every other tech works in a home department and maybe one or two more.
    members: dict[int, list[int]] = {index: [] for index in range(len(DEPARTMENTS))}
    rows = []
    for position, tech_id in enumerate(tech_ids[1:]):
        home = position % len(DEPARTMENTS)
        extra = rng.sample([i for i in range(len(DEPARTMENTS)) if i != home], rng.randint(0, 2))
        for index in [home, *extra]:
            members[index].append(tech_id)
            rows.append((tech_id, department_ids[index], rng.randint(1, 3)))
    measured = tech_ids[0]
    for index, weight in MEASURED_MEMBERSHIPS.items():
        rows.append((measured, department_ids[index], weight))
    cursor.executemany(
        "INSERT INTO departments_membership (user_id, department_id, retrieval_priority,"
        " is_manager) VALUES (%s, %s, %s, false)",
        rows,
    )
    # One manager per department (never the measured tech, whose desk stays a plain tech's).
    for index, department_id in enumerate(department_ids):
        cursor.execute(
            "UPDATE departments_membership SET is_manager = true"
            " WHERE department_id = %s AND user_id = %s",
            [department_id, members[index][0]],
        )

    first_categories = []
    for index, (name, _hours, _share) in enumerate(DEPARTMENTS):
        for number, topic in enumerate(("General question", "Problem", "Request")):
            cursor.execute(
                "INSERT INTO departments_category (name, position, is_active, department_id)"
                " VALUES (%s, %s, true, %s) RETURNING id",
                [f"{name}: {topic}", number, department_ids[index]],
            )
            category_id = cursor.fetchone()[0]
            if number == 0:
                first_categories.append(category_id)

    canned = [(title, None) for title in CANNED_TITLES]
    for index, (name, _hours, _share) in enumerate(DEPARTMENTS):
        canned += [(f"{name}: {title}", department_ids[index]) for title in CANNED_TITLES[:2]]
    cursor.executemany(
        "INSERT INTO responses_cannedresponse (title, body, is_active, created_at, updated_at,"
        " usage_count, department_id) VALUES (%s, %s, true, now(), now(), 0, %s)",
        [(title, BODIES[i % len(BODIES)], dept) for i, (title, dept) in enumerate(canned)],
    )

    cursor.execute("SELECT type, id FROM tickets_status WHERE is_default")
    statuses = dict(cursor.fetchall())
    flat, offsets, counts = [], [], []
    for index in range(len(DEPARTMENTS)):
        offsets.append(len(flat))
        counts.append(len(members[index]))
        flat.extend(members[index])
    return Staff(
        measured_tech_id=measured,
        department_ids=department_ids,
        measured_department_ids=[department_ids[i] for i in MEASURED_MEMBERSHIPS],
        department_limits=limits,
        resolution_limits=resolution_limits,
        first_category_ids=first_categories,
        tech_ids=flat,
        tech_offsets=offsets,
        tech_counts=counts,
        statuses=statuses,
    )
