"""Techs' email signatures: the uploaded image made safe, and the parts a reply email carries.

The image is never kept as uploaded. Pillow decodes it, and a fresh JPEG is written from the
pixels alone: whatever the file carried besides them (EXIF with GPS positions, ICC profiles,
comments, trailing data) is gone."""

import io
import logging
import warnings
from dataclasses import dataclass
from email.mime.image import MIMEImage

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.mail import EmailMultiAlternatives
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.html import format_html, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from accounts.models import User

logger = logging.getLogger(__name__)

SIGNATURE_MAX_UPLOAD_SIZE = 2 * 1024 * 1024
# Checked on the size the header declares, before a single pixel is decoded.
SIGNATURE_MAX_PIXELS = 25_000_000
SIGNATURE_MAX_SIZE = (600, 200)
SIGNATURE_JPEG_QUALITY = 85
SIGNATURE_IMAGE_FILENAME = "signature.jpg"
# MPO is what some cameras write: a JPEG with extra frames after the first. Its first frame is an
# ordinary JPEG, and only that frame is kept.
_JPEG_FORMATS = frozenset({"JPEG", "MPO"})


@dataclass(frozen=True)
class SignatureParts:
    """What an outgoing reply needs to carry a tech's signature. `html` refers to the image as
    cid:<content_id>, so the image must travel in the same message (see signature_attach)."""

    text: str
    html: SafeString
    image_bytes: bytes | None
    content_id: str
    image_filename: str = SIGNATURE_IMAGE_FILENAME


def signature_image_process(upload: File) -> ContentFile:
    """The upload re-encoded as a baseline JPEG that fits SIGNATURE_MAX_SIZE, upright, RGB, and
    free of metadata; or ValidationError if it is not a whole JPEG within the limits."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The signature image is empty."), code="empty")
    upload.seek(0)
    # One byte over the limit is enough to know: a declared size is not trusted to be true.
    data = upload.read(SIGNATURE_MAX_UPLOAD_SIZE + 1)
    upload.seek(0)
    if size > SIGNATURE_MAX_UPLOAD_SIZE or len(data) > SIGNATURE_MAX_UPLOAD_SIZE:
        raise ValidationError(
            _("The signature image is too big: it may be at most %(limit)s."),
            code="file_too_big",
            params={"limit": filesizeformat(SIGNATURE_MAX_UPLOAD_SIZE)},
        )
    too_large = ValidationError(
        _("The signature image has too many pixels; it may have at most %(limit)s."),
        code="image_too_large",
        params={"limit": number_format(SIGNATURE_MAX_PIXELS, 0, force_grouping=True)},
    )
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard only warns below twice its limit; here it refuses.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the JPEG decoder may look at the file: anything else is refused unread.
            with Image.open(io.BytesIO(data), formats=("JPEG",)) as original:
                if original.format not in _JPEG_FORMATS:
                    raise _not_a_jpeg()
                width, height = original.size
                if width * height > SIGNATURE_MAX_PIXELS:
                    raise too_large
                # JPEG can decode at 1/2, 1/4 or 1/8 scale: a large photo never needs its full
                # size in memory. Square, so a rotation by exif_transpose still has enough.
                longest = max(SIGNATURE_MAX_SIZE)
                original.draft("RGB", (longest, longest))
                # Decodes every byte: a truncated file fails here (LOAD_TRUNCATED_IMAGES is off).
                original.load()
                image = ImageOps.exif_transpose(original).convert("RGB")
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except Image.UnidentifiedImageError:
        raise _not_a_jpeg() from None
    except Exception:
        # Pillow's decoders raise many kinds of error on bad input; all mean a broken file.
        raise ValidationError(
            _("The signature image is damaged or incomplete. Save it again and upload it anew."),
            code="invalid_image",
        ) from None
    image.thumbnail(SIGNATURE_MAX_SIZE, Image.Resampling.LANCZOS)  # shrinks, never enlarges
    # A new image holds the pixels and nothing else: Pillow would otherwise copy the original's
    # comment (and anything else in .info a later Pillow chooses to keep) into the new file.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    buffer = io.BytesIO()
    clean.save(buffer, "JPEG", quality=SIGNATURE_JPEG_QUALITY, optimize=True, progressive=False)
    return ContentFile(buffer.getvalue(), name=SIGNATURE_IMAGE_FILENAME)


def signature_content_id(user: User) -> str:
    return f"signature-{user.pk}@helpdesk"


def signature_for_email(user: User) -> SignatureParts | None:
    """The tech's signature for an outgoing reply, or None if they have neither text nor image.
    An image that storage has lost is left out rather than failing the reply."""
    text = user.signature_text.strip()
    image_bytes = _signature_image_read(user)
    if not text and image_bytes is None:
        return None
    content_id = signature_content_id(user)
    # linebreaks() escaped the text itself; its own <p>/<br> markup is meant to stay.
    html = mark_safe(linebreaks(text, autoescape=True)) if text else SafeString()
    if image_bytes is not None:
        alt = gettext("Signature of %(name)s") % {"name": user.full_name or user.email}
        html += format_html('<p><img src="cid:{}" alt="{}"></p>', content_id, alt)
    return SignatureParts(text=text, html=html, image_bytes=image_bytes, content_id=content_id)


def signature_attach(message: EmailMultiAlternatives, parts: SignatureParts) -> None:
    """Carry the signature image inside the message, where the HTML's cid: link finds it.

    Call it after the HTML alternative is attached. The message becomes multipart/related, so
    mail clients show the image in the text rather than as a separate attachment."""
    if parts.image_bytes is None:
        return
    image = MIMEImage(parts.image_bytes, _subtype="jpeg")
    image.add_header("Content-ID", f"<{parts.content_id}>")
    image.add_header("Content-Disposition", "inline", filename=parts.image_filename)
    message.attach(image)
    message.mixed_subtype = "related"


def signature_image_response(*, user: User) -> FileResponse:
    """The user's own signature image; there is no way to ask for anyone else's."""
    name = user.signature_image.name
    if not name:
        raise Http404(gettext("You have no signature image."))
    try:
        file = signature_storage().open(name, "rb")
    except FileNotFoundError:
        raise Http404(gettext("You have no signature image.")) from None
    response = FileResponse(file, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # The page links it with the stored name in the query, so a replaced image is a new URL.
    response["Cache-Control"] = "private, max-age=3600"
    return response


def signature_storage() -> Storage:
    return User._meta.get_field("signature_image").storage


def _signature_image_read(user: User) -> bytes | None:
    name = user.signature_image.name
    if not name:
        return None
    try:
        with signature_storage().open(name, "rb") as file:
            return file.read()
    except FileNotFoundError:
        logger.warning("Signature image %s of user %s is missing from storage", name, user.pk)
        return None


def _not_a_jpeg() -> ValidationError:
    return ValidationError(_("The signature image must be a JPEG."), code="not_jpeg")
