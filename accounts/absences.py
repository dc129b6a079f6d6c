"""Absences: recording, cancelling and ending them early (writes), and who is away (reads).

The rules live here: an absence ends after it starts and before now is over; a tech's
absences never overlap; a substitute is another active tech who works in at least one of the
tech's departments and is not away themselves then. What happens to tickets at the start and
the end is tickets/handover.py."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Absence, User
from departments.models import Membership


def absent_now(user_ids: Iterable[int | None] | QuerySet) -> dict[int, Absence]:
    """{user id: their current absence} for those of these people who are away now, in one
    query (the substitute comes with it). Every "skip the absent tech" check asks this.
    `user_ids` may be a queryset of ids, used as a subquery rather than read first."""
    if isinstance(user_ids, QuerySet):
        ids = user_ids
    else:
        ids = {pk for pk in user_ids if pk}
        if not ids:
            return {}
    now = timezone.now()
    absences = Absence.objects.filter(_current_q(now), tech_id__in=ids).select_related(
        "tech", "substitute"
    )
    return {absence.tech_id: absence for absence in absences}


@dataclass
class AbsencesAround:
    """What the board says of each of a set of people: away now, away soon, standing in."""

    now: dict[int, Absence] = field(default_factory=dict)  # user id -> current absence
    ahead: dict[int, Absence] = field(default_factory=dict)  # user id -> their next one to come
    standing_in: dict[int, list[Absence]] = field(default_factory=dict)  # substitute id -> absences


def absences_around(user_ids: Iterable[int]) -> AbsencesAround:
    """For these people, in one query: their current absence, their next absence still to come,
    and the current absences of others they stand in for (only others among these people: one
    sees nothing of absences outside them)."""
    ids = {pk for pk in user_ids if pk}
    found = AbsencesAround()
    if not ids:
        return found
    now = timezone.now()
    absences = (
        Absence.objects.filter(cancelled_at__isnull=True, ended_at__isnull=True, ends_at__gt=now)
        .filter(Q(tech_id__in=ids) | Q(substitute_id__in=ids, tech_id__in=ids, starts_at__lte=now))
        .select_related("tech", "substitute")
        .order_by("starts_at", "id")
    )
    for absence in absences:
        if absence.starts_at <= now:
            found.now.setdefault(absence.tech_id, absence)
            if absence.substitute_id in ids:
                found.standing_in.setdefault(absence.substitute_id, []).append(absence)
        else:
            found.ahead.setdefault(absence.tech_id, absence)
    return found


def absence_current(user: User) -> Absence | None:
    return absent_now([user.pk]).get(user.pk)


def _current_q(now: datetime) -> Q:
    return Q(cancelled_at__isnull=True, ended_at__isnull=True, starts_at__lte=now, ends_at__gt=now)


def absences_ahead(tech: User) -> QuerySet[Absence]:
    """The tech's absences that are current or still to come, soonest first."""
    return (
        Absence.objects.filter(
            tech=tech, cancelled_at__isnull=True, ended_at__isnull=True, ends_at__gt=timezone.now()
        )
        .select_related("substitute", "created_by")
        .order_by("starts_at", "id")
    )


def substitutes_for(tech: User) -> QuerySet[User]:
    """Who may stand in for the tech: active techs sharing at least one active department."""
    departments = Membership.objects.filter(user=tech, department__is_active=True).values(
        "department_id"
    )
    return (
        User.objects.filter(
            kind=User.Kind.STAFF,
            is_active=True,
            memberships__department_id__in=departments,
        )
        .exclude(pk=tech.pk)
        .distinct()
        .order_by("full_name")
    )


def _when(value: datetime) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def absence_record(
    *,
    tech: User,
    starts_at: datetime,
    ends_at: datetime,
    substitute: User | None,
    note: str = "",
    created_by: User,
) -> Absence:
    """Record an absence. Raises ValidationError ({field: message}) and writes nothing when the
    period is backwards or already over, overlaps another of the tech's absences, or the
    substitute may not stand in (themselves, inactive, in none of the tech's departments, or
    away during it). The tech's row is locked, so two recordings at once cannot both pass
    the overlap check."""
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The absence must end after it starts.")})
    if ends_at <= timezone.now():
        raise ValidationError({"ends_at": _("This period is already over.")})
    if not tech.is_tech:
        raise ValidationError(_("Only techs can be recorded as absent."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=tech.pk).first()
        clash = _overlapping(tech=tech, starts_at=starts_at, ends_at=ends_at).first()
        if clash is not None:
            raise ValidationError(
                {
                    "starts_at": _(
                        "%(name)s is already recorded as absent from %(start)s to %(end)s."
                    )
                    % {
                        "name": tech.full_name,
                        "start": _when(clash.starts_at),
                        "end": _when(clash.ends_at),
                    }
                }
            )
        if substitute is not None:
            _substitute_check(
                tech=tech, substitute=substitute, starts_at=starts_at, ends_at=ends_at
            )
        return Absence.objects.create(
            tech=tech,
            starts_at=starts_at,
            ends_at=ends_at,
            substitute=substitute,
            note=note.strip(),
            created_by=created_by,
        )


def _overlapping(*, tech: User, starts_at: datetime, ends_at: datetime) -> QuerySet[Absence]:
    # An absence ended early counts up to when it ended (its ends_at is moved to then).
    return Absence.objects.filter(
        tech=tech,
        cancelled_at__isnull=True,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    ).order_by("starts_at")


def _substitute_check(
    *, tech: User, substitute: User, starts_at: datetime, ends_at: datetime
) -> None:
    if substitute.pk == tech.pk:
        raise ValidationError({"substitute": _("A tech cannot stand in for themselves.")})
    if not substitute_may_stand_in(tech=tech, substitute=substitute):
        raise ValidationError(
            {
                "substitute": _(
                    "%(name)s cannot stand in: they must be an active tech in one of "
                    "%(tech)s's departments."
                )
                % {"name": substitute.full_name, "tech": tech.full_name}
            }
        )
    away = _overlapping(tech=substitute, starts_at=starts_at, ends_at=ends_at).first()
    if away is not None:
        raise ValidationError(
            {
                "substitute": _(
                    "%(name)s is absent themselves from %(start)s to %(end)s; choose someone else."
                )
                % {
                    "name": substitute.full_name,
                    "start": _when(away.starts_at),
                    "end": _when(away.ends_at),
                }
            }
        )


def substitute_may_stand_in(*, tech: User, substitute: User) -> bool:
    return substitutes_for(tech).filter(pk=substitute.pk).exists()


def absence_stop(*, absence: Absence) -> Absence:
    """Cancel an absence that has not begun, or end a current one now. An absence already over
    or cancelled is left as it is. Ending early only moves the end to now: the beat (or the
    caller, through tickets.handover.absence_end) carries the end out."""
    with transaction.atomic():
        absence = Absence.objects.select_for_update().get(pk=absence.pk)
        now = timezone.now()
        if absence.cancelled_at is not None or absence.ended_at is not None:
            return absence
        if absence.started_at is None and absence.starts_at >= now:
            absence.cancelled_at = now
            absence.save(update_fields=["cancelled_at"])
        elif absence.ends_at > now:
            absence.ends_at = now
            absence.save(update_fields=["ends_at"])
        return absence


def absence_of(*, tech: User, absence_id: int) -> Absence:
    absence = Absence.objects.filter(pk=absence_id, tech=tech).first()
    if absence is None:
        raise Http404
    return absence
