"""Files on messages: checking uploads, storing them under random names, and serving them back.

Nothing about a file is trusted from the browser: the name is only for display, the type is
worked out here, and images are decoded by Pillow before anyone is shown one."""

import io
import logging
import mimetypes
import re
import unicodedata
import uuid
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from tickets.models import Attachment, Message

logger = logging.getLogger(__name__)

# The Pillow formats a name's extension promises.
IMAGE_FORMATS_BY_EXTENSION = {
    "png": frozenset({"PNG"}), "jpg": frozenset({"JPEG", "MPO"}),
    "jpeg": frozenset({"JPEG", "MPO"}), "gif": frozenset({"GIF"}), "webp": frozenset({"WEBP"}),
    "bmp": frozenset({"BMP"}), "tif": frozenset({"TIFF"}), "tiff": frozenset({"TIFF"}),
}  # fmt: skip
# MPO is a JPEG with extra frames; browsers show it as a JPEG.
IMAGE_FORMAT_TYPES = {
    "PNG": "image/png", "JPEG": "image/jpeg", "MPO": "image/jpeg", "GIF": "image/gif",
    "WEBP": "image/webp", "BMP": "image/bmp", "TIFF": "image/tiff",
}  # fmt: skip
# The only decoders Pillow may try: some others (EPS through Ghostscript, for one) are not safe
# to run on a stranger's file. MPO is read by the JPEG decoder.
IMAGE_DECODERS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF")
# Browsers render these themselves, with no script: safe to show inline.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# SVG is a document that can carry scripts, so it is stored and served as a plain download.
SVG_EXTENSIONS = frozenset({"svg", "svgz"})
THUMBNAIL_SIZE = (320, 320)
_STORED_EXTENSION = re.compile(r"[a-z0-9]{1,16}")


@dataclass(frozen=True)
class InspectedUpload:
    upload: UploadedFile
    original_name: str
    extension: str
    content_type: str
    size: int
    is_image: bool
    # A mail's part: its Content-ID, whether its HTML body shows it in place, and whether it
    # was kept as a plain download after failing the image check (IMAGE_CHECK_CODES).
    content_id: str = ""
    is_inline: bool = False
    failed_image_check: bool = False


# Refusals that say a file is no valid image of its kind. A mail's attachment refused so is kept
# as a download (`attachment_kept_as_download`): the sender meant to send it, and losing it
# would lose their message; a web upload is still refused, as its sender can try again.
IMAGE_CHECK_CODES = frozenset({"invalid_image", "image_type_mismatch", "image_too_large"})


def attachment_kept_as_download(upload: UploadedFile) -> InspectedUpload:
    """A mail's file that failed the image check, as a download the browser neither shows nor
    sniffs (the other checks, size and blocked extensions, still apply: see the caller)."""
    name = _display_name(upload.name or "")
    upload.seek(0)
    return InspectedUpload(
        upload=upload,
        original_name=name,
        extension=PurePosixPath(name).suffix.lower().lstrip("."),
        content_type="application/octet-stream",
        size=upload.size or 0,
        is_image=False,
        failed_image_check=True,
    )


def attachment_inspect(upload: UploadedFile) -> InspectedUpload:
    """Refuse an empty, oversized or blocked file, and any file that claims to be an image but
    is not a whole image of that kind within the pixel limit."""
    name = _display_name(upload.name or "")
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    size = upload.size or 0
    if size == 0:
        raise _refusal(_("“%(name)s” is empty."), "empty", name=name)
    if size > (limit := settings.ATTACHMENT_MAX_FILE_SIZE):
        message = _("“%(name)s” is %(size)s; a file may be at most %(limit)s.")
        size_text, limit_text = filesizeformat(size), filesizeformat(limit)
        raise _refusal(message, "file_too_big", name=name, size=size_text, limit=limit_text)
    blocked = {e.lower().lstrip(".") for e in settings.ATTACHMENT_BLOCKED_EXTENSIONS}
    # The last extension decides how a downloaded file opens: "invoice.pdf.exe" is refused,
    # while "example.com.png" is a screenshot (files are always served with our own type).
    if extension in blocked:
        message = _("“%(name)s” cannot be attached: .%(extension)s files are not accepted.")
        raise _refusal(message, "blocked_extension", name=name, extension=extension)
    claimed_type = (upload.content_type or "").lower()
    claims_image = extension in IMAGE_FORMATS_BY_EXTENSION or (
        claimed_type.startswith("image/")
        and claimed_type != "image/svg+xml"
        and extension not in SVG_EXTENSIONS
    )
    if claims_image:
        allowed = IMAGE_FORMATS_BY_EXTENSION.get(extension, frozenset(IMAGE_FORMAT_TYPES))
        image_format = _image_format_check(upload=upload, name=name, allowed=allowed)
        content_type = IMAGE_FORMAT_TYPES[image_format]
    else:
        content_type = _content_type_guess(name)
    upload.seek(0)
    return InspectedUpload(
        upload=upload,
        original_name=name,
        extension=extension,
        content_type=content_type,
        size=size,
        is_image=claims_image,
    )


def attachments_inspect(uploads: Sequence[UploadedFile]) -> list[InspectedUpload]:
    """Inspect every file and refuse the lot, naming every problem, if any file is refused,
    there are too many, or together they are too big for one message."""
    errors: list[ValidationError] = []
    max_files = settings.ATTACHMENT_MAX_FILES
    if len(uploads) > max_files:
        message = ngettext(
            "You can attach at most %(limit)d file; you chose %(count)d.",
            "You can attach at most %(limit)d files; you chose %(count)d.",
            max_files,
        )
        errors.append(_refusal(message, "too_many_files", limit=max_files, count=len(uploads)))
    total = sum(upload.size or 0 for upload in uploads)
    if total > (limit := settings.ATTACHMENT_MAX_MESSAGE_SIZE):
        message = _("The files add up to %(size)s; a message may carry at most %(limit)s.")
        size_text, limit_text = filesizeformat(total), filesizeformat(limit)
        errors.append(_refusal(message, "message_too_big", size=size_text, limit=limit_text))
    inspected = []
    for upload in uploads:
        try:
            inspected.append(attachment_inspect(upload))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return inspected


def attachments_save(
    *, message: Message, inspected: list[InspectedUpload], stored_names: list[str]
) -> list[Attachment]:
    """Store each file under a random name and record it on the message. Every name written is
    added to stored_names at once, so the caller can delete the files if its transaction fails."""
    storage = _storage()
    folder = timezone.now().strftime("attachments/%Y/%m")
    attachments = []
    for item in inspected:
        key = uuid.uuid4().hex
        suffix = f".{item.extension}" if _STORED_EXTENSION.fullmatch(item.extension) else ""
        # Rendered before the original is stored: saving may move a temporary upload away.
        thumbnail = _thumbnail_render(item.upload) if item.is_image else None
        item.upload.seek(0)
        name = storage.save(f"{folder}/{key}{suffix}", item.upload)
        stored_names.append(name)
        thumbnail_name = ""
        if thumbnail is not None:
            content, thumbnail_extension = thumbnail
            thumbnail_name = storage.save(
                f"{folder}/{key}-thumb.{thumbnail_extension}", ContentFile(content)
            )
            stored_names.append(thumbnail_name)
        attachments.append(
            Attachment.objects.create(
                message=message,
                file=name,
                original_name=item.original_name,
                content_type=item.content_type,
                size=item.size,
                is_image=item.is_image,
                thumbnail=thumbnail_name,
                content_id=item.content_id[:998],
                is_inline=item.is_inline,
                failed_image_check=item.failed_image_check,
            )
        )
    return attachments


def stored_files_delete(names: list[str]) -> None:
    """Remove files whose database rows never came to be. Best effort: this runs while another
    error is being handled, which must not be hidden by a second one."""
    storage = _storage()
    for name in names:
        try:
            storage.delete(name)
        except FileNotFoundError:
            pass
        except Exception:
            logger.exception("Could not delete stored file %s", name)


def attachments_copy(*, source: Message, target: Message, stored_names: list[str]) -> None:
    """Copy a message's files (and thumbnails) to another message under new random names."""
    storage = _storage()
    for original in source.attachments.all():
        copies = {}
        for field in ("file", "thumbnail"):
            name = getattr(original, field).name
            if not name:
                copies[field] = ""
                continue
            suffix = PurePosixPath(name).suffix
            with storage.open(name) as content:
                copies[field] = storage.save(
                    str(PurePosixPath(name).with_name(f"{uuid.uuid4().hex}{suffix}")), content
                )
            stored_names.append(copies[field])
        Attachment.objects.create(
            message=target,
            file=copies["file"],
            original_name=original.original_name,
            content_type=original.content_type,
            size=original.size,
            is_image=original.is_image,
            thumbnail=copies["thumbnail"],
            # The copy's message has no HTML to show an inline image in: it is listed.
            failed_image_check=original.failed_image_check,
        )


@contextmanager
def atomic_with_files() -> Iterator[list[str]]:
    """A transaction that also deletes the files written in it (the names callers append to
    the yielded list) when it rolls back: no orphan files after a failed write."""
    stored_names: list[str] = []
    try:
        with transaction.atomic():
            yield stored_names
    except BaseException:
        stored_files_delete(stored_names)
        raise


def attachment_response(attachment: Attachment, *, thumbnail: bool = False) -> FileResponse:
    """Stream a file. Only raster images and thumbnails are shown inline; anything else is a
    download that the browser may neither sniff nor run."""
    if thumbnail:
        name = attachment.thumbnail.name
        content_type = "image/png" if name.endswith(".png") else "image/jpeg"
        stem = PurePosixPath(attachment.original_name).stem
        filename = f"{stem}-thumb{PurePosixPath(name).suffix}"
        inline = True
    else:
        name = attachment.file.name
        content_type = attachment.content_type
        filename = attachment.original_name
        inline = attachment.is_image and content_type in INLINE_IMAGE_TYPES
    if not name:
        raise Http404(gettext("This file is not available."))
    try:
        file = _storage().open(name, "rb")
    except FileNotFoundError:
        raise Http404(gettext("This file is not available.")) from None
    response = FileResponse(
        file, as_attachment=not inline, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Customers' files never stay in a shared browser's disk cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _limits_help_text() -> str:
    count = settings.ATTACHMENT_MAX_FILES
    text = ngettext(
        "Up to %(count)d file, %(file)s each, %(total)s in all.",
        "Up to %(count)d files, %(file)s each, %(total)s in all.",
        count,
    )
    return text % {
        "count": count,
        "file": filesizeformat(settings.ATTACHMENT_MAX_FILE_SIZE),
        "total": filesizeformat(settings.ATTACHMENT_MAX_MESSAGE_SIZE),
    }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Any number of files in one input; cleans to a list of InspectedUpload."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachments"))
        # Forms copy their fields instead of building them again, so the limits are read from
        # settings each time the help text is shown rather than once at import.
        kwargs.setdefault("help_text", lazy(_limits_help_text, str)())
        # attachment_inspect reports empty files by name.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(**kwargs)

    def clean(self, data, initial=None) -> list[InspectedUpload]:
        uploads = data if isinstance(data, list | tuple) else [data]
        single_clean = super().clean
        files = [file for file in (single_clean(d, initial) for d in uploads) if file]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        return attachments_inspect(files)


class _KeepOpen:
    """Closing a Pillow image closes the file it read; the upload must stay open to be saved."""

    def __init__(self, file):
        self._file = file

    def __getattr__(self, name):
        return getattr(self._file, name)

    def close(self) -> None:
        pass


def _refusal(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params)


def _storage() -> Storage:
    return Attachment._meta.get_field("file").storage


def _display_name(raw: str) -> str:
    # Browsers on Windows may send a whole path. Control and format characters go too:
    # a right-to-left override can make "report\u202egpj.exe" read as "reportexe.jpg".
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in {"Cc", "Cf"})
    # Windows drops trailing dots and spaces on save, which would revive "x.exe." as "x.exe".
    name = name.strip().rstrip(". ") or gettext("file")
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) < 20:
            name = f"{stem[: 254 - len(extension)]}.{extension}"
        else:
            name = name[:255]
    return name


def _content_type_guess(name: str) -> str:
    content_type, encoding = mimetypes.guess_type(name)
    # "x.tar.gz" guesses as a tar with gzip encoding; served as a tar it would be misread.
    if content_type is None or encoding is not None:
        return "application/octet-stream"
    return content_type


def _image_format_check(*, upload: UploadedFile, name: str, allowed: frozenset[str]) -> str:
    """The Pillow format of a whole, decodable image, or ValidationError."""
    limit = number_format(settings.ATTACHMENT_MAX_IMAGE_PIXELS, 0, force_grouping=True)
    message = _("“%(name)s” has too many pixels; an image may have at most %(limit)s.")
    too_large = _refusal(message, "image_too_large", name=name, limit=limit)
    source = _KeepOpen(upload)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(source, formats=IMAGE_DECODERS) as image:
                image_format = image.format
                width, height = image.size
                # Checked on the header's size, before any pixels are decoded.
                if width * height > settings.ATTACHMENT_MAX_IMAGE_PIXELS:
                    raise too_large
                if image_format not in allowed:
                    message = _("“%(name)s” is not the kind of image its name says.")
                    raise _refusal(message, "image_type_mismatch", name=name)
                image.verify()
            # verify() leaves the image unusable, and does not decode most formats: decoding
            # it all is what catches a truncated file (LOAD_TRUNCATED_IMAGES is left off).
            upload.seek(0)
            with Image.open(source, formats=IMAGE_DECODERS) as image:
                image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except Exception:
        # Pillow's decoders raise many kinds of error on bad input; all mean "not an image".
        message = _("“%(name)s” is not a valid image.")
        raise _refusal(message, "invalid_image", name=name) from None
    finally:
        upload.seek(0)
    return image_format


def _thumbnail_render(upload: UploadedFile) -> tuple[bytes, str] | None:
    """PNG for images that may be see-through, else JPEG. None if it fails: a missing preview
    must not lose the customer's message."""
    try:
        upload.seek(0)
        with Image.open(_KeepOpen(upload), formats=IMAGE_DECODERS) as original:
            original.draft("RGB", THUMBNAIL_SIZE)  # JPEG decodes at a fraction of the size
            image = ImageOps.exif_transpose(original)
        see_through = image.mode in {"RGBA", "LA", "PA", "P"} or "transparency" in image.info
        image = image.convert("RGBA" if see_through else "RGB")
        image.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        if see_through:
            image.save(buffer, "PNG", optimize=True)
        else:
            image.save(buffer, "JPEG", quality=85)
    except Exception:
        logger.exception("Could not make a thumbnail of %s", upload.name)
        return None
    finally:
        upload.seek(0)
    return buffer.getvalue(), "png" if see_through else "jpg"
