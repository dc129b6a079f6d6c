"""Writes to a tech's own preferences: how the reply box starts, their email signature and, for
managers and admins, the monthly summary mail."""

import logging
import uuid

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext

from accounts.access import can_read_reports
from accounts.models import User
from accounts.signatures import signature_storage

logger = logging.getLogger(__name__)


def tech_preferences_update(
    *,
    user: User,
    reply_as_note_by_default: bool,
    signature_text: str,
    signature_image: ContentFile | None,
    remove_image: bool,
    monthly_summary: bool | None = None,
) -> User:
    """Save a tech's preferences in one transaction and return the updated user.

    Only staff have preferences (customers never send replies). signature_image must already be
    processed by signatures.signature_image_process; it is stored under a random name and
    replaces the current image; otherwise remove_image drops it. A replaced or removed file is
    deleted only once the change is committed, so a rollback never leaves the row pointing at a
    missing file, and a new file whose row was never saved is deleted at once.

    monthly_summary None leaves that choice as it is; only someone who may read the reports (an
    admin, or a manager of an active department) can ask for the summary."""
    if not user.is_tech:
        raise PermissionDenied(gettext("Only staff members have preferences."))
    if monthly_summary and not can_read_reports(user):
        raise PermissionDenied(gettext("Only managers and admins can receive the monthly summary."))
    storage = signature_storage()
    new_name = ""
    try:
        with transaction.atomic():
            # Locked so two saves at once cannot both take the same old file as theirs to delete
            # and leave the loser's new file unreferenced.
            locked = User.objects.select_for_update().get(pk=user.pk)
            old_name = locked.signature_image.name or ""
            if signature_image is not None:
                new_name = storage.save(f"signatures/{uuid.uuid4().hex}.jpg", signature_image)
                locked.signature_image.name = new_name
            elif remove_image:
                locked.signature_image.name = ""
            locked.reply_as_note_by_default = reply_as_note_by_default
            locked.signature_text = signature_text
            fields = ["reply_as_note_by_default", "signature_text", "signature_image"]
            if monthly_summary is not None:
                locked.monthly_summary = monthly_summary
                fields.append("monthly_summary")
            locked.save(update_fields=fields)
            if old_name and old_name != locked.signature_image.name:
                transaction.on_commit(lambda: _stored_file_delete(old_name))
    except BaseException:
        if new_name:
            _stored_file_delete(new_name)
        raise
    return locked


def _stored_file_delete(name: str) -> None:
    """Best effort: runs after a commit or while another error is handled, and must not fail
    either. A file left behind costs disk space; a raised error here would cost the request."""
    try:
        signature_storage().delete(name)
    except FileNotFoundError:
        pass
    except Exception:
        logger.exception("Could not delete stored signature image %s", name)
