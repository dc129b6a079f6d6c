"""Attachments: what is refused, how files are stored, and how they are served back."""

import io
import logging
import os
import re
import struct
import zlib
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.http import Http404
from django.utils.datastructures import MultiValueDict
from PIL import Image

from accounts.models import Customer
from departments.models import Department
from tickets.attachments import (
    AttachmentsField,
    InspectedUpload,
    attachment_inspect,
    attachment_response,
    attachments_inspect,
    attachments_save,
    stored_files_delete,
)
from tickets.models import Attachment, Message, Status, Ticket

STORED_NAME = re.compile(r"attachments/\d{4}/\d{2}/[0-9a-f]{32}")


# --- Building files ---------------------------------------------------------------------------


def image_bytes(image_format="PNG", *, size=(40, 30), mode="RGB", noisy=False, **options) -> bytes:
    if noisy:
        image = Image.frombytes(mode, size, os.urandom(size[0] * size[1] * len(mode)))
    else:
        image = Image.new(mode, size, "red" if mode != "P" else 1)
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_declaring_size(width, height) -> bytes:
    """A PNG whose header claims this size while holding almost nothing: what a decompression
    bomb looks like before it is decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def messages_of(error: ValidationError) -> str:
    # filesizeformat keeps "10 bytes" together with a no-break space.
    return " | ".join(error.messages).replace("\xa0", " ")


def refusal(file) -> str:
    with pytest.raises(ValidationError) as caught:
        attachment_inspect(file)
    return messages_of(caught.value)


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def message(db):
    status, _ = Status.objects.get_or_create(type="new", is_default=True, defaults={"name": "New"})
    ticket = Ticket.objects.create(
        number=987_654,
        subject="Printer shows E-042",
        customer=Customer.objects.create(name="Carla Customer"),
        department=Department.objects.create(name="Attachments desk", slug="attachments-desk"),
        status=status,
        status_type="new",
        source="public_form",
    )
    return Message.objects.create(ticket=ticket, kind="customer", body="See the files.")


@pytest.fixture
def save(message):
    """Inspect and store files on the message, as a service does."""

    def save(*files):
        names: list[str] = []
        attachments = attachments_save(
            message=message, inspected=attachments_inspect(list(files)), stored_names=names
        )
        return attachments, names

    return save


def stored_path(media_root: Path, name: str) -> Path:
    return media_root / name


# --- Inspecting one file ----------------------------------------------------------------------


def test_png_is_an_image_typed_by_its_real_format():
    inspected = attachment_inspect(upload("Screen Shot.PNG", image_bytes("PNG"), "image/png"))

    assert inspected == InspectedUpload(
        upload=inspected.upload,
        original_name="Screen Shot.PNG",
        extension="png",
        content_type="image/png",
        size=inspected.upload.size,
        is_image=True,
    )
    assert inspected.upload.tell() == 0


def test_content_type_comes_from_the_image_not_the_browser():
    inspected = attachment_inspect(upload("photo.jpg", image_bytes("JPEG"), "text/html"))

    assert inspected.content_type == "image/jpeg"
    assert inspected.is_image


@pytest.mark.parametrize(
    ("name", "image_format", "content_type"),
    [
        ("anim.gif", "GIF", "image/gif"),
        ("photo.webp", "WEBP", "image/webp"),
        ("scan.bmp", "BMP", "image/bmp"),
        ("scan.tiff", "TIFF", "image/tiff"),
        ("scan.tif", "TIFF", "image/tiff"),
        ("photo.jpeg", "JPEG", "image/jpeg"),
    ],
)
def test_other_raster_formats_are_images(name, image_format, content_type):
    inspected = attachment_inspect(upload(name, image_bytes(image_format)))

    assert inspected.is_image
    assert inspected.content_type == content_type


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("manual.pdf", "application/pdf"),
        ("notes.txt", "text/plain"),
        ("backup.tar.gz", "application/octet-stream"),
        ("no-extension", "application/octet-stream"),
    ],
)
def test_other_files_are_typed_by_extension_and_are_not_images(name, content_type):
    inspected = attachment_inspect(upload(name, b"%PDF-1.4 or some text"))

    assert inspected.content_type == content_type
    assert not inspected.is_image


def test_real_image_under_a_non_image_name_is_a_plain_file():
    inspected = attachment_inspect(upload("notes.txt", image_bytes("PNG"), "text/plain"))

    assert not inspected.is_image
    assert inspected.content_type == "text/plain"


def test_empty_file_is_refused_by_name():
    assert refusal(upload("empty.pdf", b"")) == "“empty.pdf” is empty."


def test_file_over_the_size_limit_is_refused_with_the_limit(settings):
    settings.ATTACHMENT_MAX_FILE_SIZE = 10

    assert refusal(upload("big.pdf", b"x" * 11)) == (
        "“big.pdf” is 11 bytes; a file may be at most 10 bytes."
    )
    assert attachment_inspect(upload("ok.pdf", b"x" * 10)).size == 10


@pytest.mark.parametrize("name", ["setup.exe", "SETUP.EXE", "run.bat", "script.js"])
def test_blocked_extension_is_refused(name):
    assert "cannot be attached" in refusal(upload(name, b"MZ\x90\x00"))


@pytest.mark.parametrize("name", ["invoice.pdf.exe", "invoice.exe."])
def test_blocked_extension_at_the_end_of_a_double_extension_is_refused(name):
    assert ".exe files are not accepted" in refusal(upload(name, b"MZ\x90\x00"))


def test_blocked_word_inside_the_name_is_not_an_extension():
    assert attachment_inspect(upload("example.com.pdf", b"%PDF-1.4")).extension == "pdf"


def test_blocked_extensions_come_from_settings(settings):
    settings.ATTACHMENT_BLOCKED_EXTENSIONS = ["pdf"]

    assert "cannot be attached" in refusal(upload("manual.pdf", b"%PDF"))
    assert attachment_inspect(upload("setup.exe", b"MZ")).extension == "exe"


def test_executable_renamed_png_is_refused():
    executable = b"MZ\x90\x00" + os.urandom(2000)

    assert refusal(upload("cat.png", executable, "image/png")) == "“cat.png” is not a valid image."


def test_non_image_claimed_as_image_by_the_browser_is_refused():
    assert "is not a valid image" in refusal(upload("cat", b"MZ\x90\x00", "image/png"))


def test_jpeg_named_png_is_refused():
    assert refusal(upload("photo.png", image_bytes("JPEG"), "image/png")) == (
        "“photo.png” is not the kind of image its name says."
    )


def test_truncated_png_is_refused():
    data = image_bytes("PNG", size=(64, 64), noisy=True)

    assert "is not a valid image" in refusal(upload("cut.png", data[: len(data) // 2]))


def test_truncated_jpeg_is_refused():
    data = image_bytes("JPEG", size=(64, 64), noisy=True)

    assert "is not a valid image" in refusal(upload("cut.jpg", data[: len(data) // 2]))


def test_image_over_the_pixel_limit_is_refused(settings):
    settings.ATTACHMENT_MAX_IMAGE_PIXELS = 100

    assert refusal(upload("big.png", image_bytes("PNG", size=(20, 20)))) == (
        "“big.png” has too many pixels; an image may have at most 100."
    )
    assert attachment_inspect(upload("small.png", image_bytes("PNG", size=(10, 10)))).is_image


@pytest.mark.parametrize(
    "size",
    [
        (8_000, 6_000),  # over our 40 million, under Pillow's own limit
        (10_000, 10_000),  # Pillow warns: DecompressionBombWarning
        (30_000, 30_000),  # Pillow refuses: DecompressionBombError
    ],
)
def test_image_declaring_huge_size_is_refused_before_decoding(size):
    bomb = upload("bomb.png", png_declaring_size(*size), "image/png")

    assert "has too many pixels" in refusal(bomb)


def test_svg_with_script_is_a_plain_file_not_an_image():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    inspected = attachment_inspect(upload("logo.svg", svg, "image/svg+xml"))

    assert not inspected.is_image
    assert inspected.content_type == "image/svg+xml"


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("C:\\Users\\carla\\Desktop\\report.pdf", "report.pdf"),
        ("re\x00po\x1brt\n.pdf", "report.pdf"),
        ("report\u202efdp.txt", "reportfdp.txt"),
        ("  report.pdf. . ", "report.pdf"),
        ("...", "file"),
    ],
)
def test_file_name_is_reduced_to_a_safe_display_name(sent, shown):
    file = upload("placeholder.pdf", b"%PDF")
    file._name = sent  # past Django's own clean-up, as a raw multipart name could be

    assert attachment_inspect(file).original_name == shown


def test_long_file_name_is_trimmed_keeping_its_extension():
    file = upload("placeholder.pdf", b"%PDF")
    file._name = "a" * 400 + ".pdf"

    inspected = attachment_inspect(file)

    assert len(inspected.original_name) == 255
    assert inspected.original_name.endswith("a.pdf")
    assert inspected.extension == "pdf"


# --- Inspecting a message's files -------------------------------------------------------------


def test_files_of_a_message_are_inspected_in_order():
    files = [upload("a.txt", b"a"), upload("b.png", image_bytes("PNG"), "image/png")]

    inspected = attachments_inspect(files)

    assert [i.original_name for i in inspected] == ["a.txt", "b.png"]
    assert [i.is_image for i in inspected] == [False, True]


def test_too_many_files_are_refused(settings):
    settings.ATTACHMENT_MAX_FILES = 2

    with pytest.raises(ValidationError) as caught:
        attachments_inspect([upload(f"{n}.txt", b"x") for n in range(3)])

    assert messages_of(caught.value) == "You can attach at most 2 files; you chose 3."


def test_files_over_the_message_total_are_refused(settings):
    settings.ATTACHMENT_MAX_MESSAGE_SIZE = 10

    with pytest.raises(ValidationError) as caught:
        attachments_inspect([upload("a.txt", b"x" * 6), upload("b.txt", b"x" * 6)])

    assert messages_of(caught.value) == (
        "The files add up to 12 bytes; a message may carry at most 10 bytes."
    )


def test_every_problem_of_a_message_is_listed(settings):
    settings.ATTACHMENT_MAX_FILES = 2

    with pytest.raises(ValidationError) as caught:
        attachments_inspect(
            [upload("ok.txt", b"x"), upload("empty.txt", b""), upload("run.exe", b"MZ")]
        )

    assert caught.value.messages == [
        "You can attach at most 2 files; you chose 3.",
        "“empty.txt” is empty.",
        "“run.exe” cannot be attached: .exe files are not accepted.",
    ]


# --- Storing ----------------------------------------------------------------------------------


def test_files_are_stored_under_the_configured_media_root(media_root):
    storage = Attachment._meta.get_field("file").storage

    assert Path(storage.location) == media_root


def test_png_is_stored_under_a_random_name_with_a_png_thumbnail(save, message, media_root):
    png = image_bytes("PNG", size=(800, 400), mode="RGBA")

    [attachment], names = save(upload("Holiday photo.png", png, "image/png"))

    attachment.refresh_from_db()
    assert attachment.message == message
    assert attachment.original_name == "Holiday photo.png"
    assert (attachment.content_type, attachment.size, attachment.is_image) == (
        "image/png",
        len(png),
        True,
    )
    assert re.fullmatch(STORED_NAME.pattern + r"\.png", attachment.file.name)
    assert attachment.thumbnail.name == attachment.file.name.removesuffix(".png") + "-thumb.png"
    assert "Holiday" not in attachment.file.name
    assert names == [attachment.file.name, attachment.thumbnail.name]
    assert stored_path(media_root, attachment.file.name).read_bytes() == png
    with Image.open(stored_path(media_root, attachment.thumbnail.name)) as thumbnail:
        assert (thumbnail.format, thumbnail.size, thumbnail.mode) == ("PNG", (320, 160), "RGBA")


def test_jpeg_gets_an_upright_jpeg_thumbnail(save, media_root):
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was held on its side: rotate 90° to show
    jpeg = image_bytes("JPEG", size=(640, 320), exif=exif)

    [attachment], _ = save(upload("IMG_0001.JPG", jpeg, "image/jpeg"))

    assert attachment.content_type == "image/jpeg"
    assert attachment.thumbnail.name.endswith("-thumb.jpg")
    with Image.open(stored_path(media_root, attachment.thumbnail.name)) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("JPEG", (160, 320))


@pytest.mark.parametrize(
    ("name", "image", "thumbnail_format"),
    [
        ("palette.gif", image_bytes("GIF", mode="P"), "PNG"),
        ("print.jpg", image_bytes("JPEG", mode="CMYK"), "JPEG"),
        ("grey.png", image_bytes("PNG", mode="L"), "JPEG"),
        ("deep.png", image_bytes("PNG", mode="I;16"), "JPEG"),
        ("scan.tif", image_bytes("TIFF", mode="1"), "JPEG"),
    ],
    ids=["gif-palette", "jpeg-cmyk", "png-grey", "png-16-bit", "tiff-bilevel"],
)
def test_thumbnails_are_made_from_any_image_mode(save, media_root, name, image, thumbnail_format):
    [attachment], _ = save(upload(name, image))

    with Image.open(stored_path(media_root, attachment.thumbnail.name)) as thumbnail:
        assert thumbnail.format == thumbnail_format


def test_upload_spooled_to_a_temporary_file_is_stored_with_its_thumbnail(save, media_root):
    png = image_bytes("PNG", size=(640, 480), noisy=True)
    spooled = TemporaryUploadedFile("big.png", "image/png", len(png), None)
    spooled.write(png)
    spooled.seek(0)

    [attachment], _ = save(spooled)
    spooled.close()  # as the request does at its end, after the file was moved into storage

    assert stored_path(media_root, attachment.file.name).read_bytes() == png
    assert stored_path(media_root, attachment.thumbnail.name).exists()


def test_image_whose_thumbnail_fails_is_stored_without_one(save, monkeypatch, caplog):
    def broken(image):
        raise OSError("broken EXIF")

    monkeypatch.setattr("tickets.attachments.ImageOps.exif_transpose", broken)

    [attachment], names = save(upload("photo.jpg", image_bytes("JPEG")))

    assert attachment.is_image
    assert not attachment.thumbnail
    assert names == [attachment.file.name]
    assert "Could not make a thumbnail of photo.jpg" in caplog.text


def test_plain_file_is_stored_without_thumbnail(save, media_root):
    [attachment], names = save(upload("Quarterly report.pdf", b"%PDF-1.4", "application/pdf"))

    assert re.fullmatch(STORED_NAME.pattern + r"\.pdf", attachment.file.name)
    assert "report" not in attachment.file.name.lower()
    assert not attachment.thumbnail
    assert not attachment.is_image
    assert names == [attachment.file.name]


def test_unusual_extension_is_left_off_the_stored_name(save):
    [attachment], _ = save(upload("weird.t x t", b"hello"))

    assert re.fullmatch(STORED_NAME.pattern, attachment.file.name)


def test_stored_names_are_recorded_even_when_saving_fails(message, media_root):
    unsaved = Message(ticket=message.ticket, kind="customer")
    names: list[str] = []

    with pytest.raises(ValueError):
        attachments_save(
            message=unsaved,
            inspected=attachments_inspect([upload("a.png", image_bytes("PNG"), "image/png")]),
            stored_names=names,
        )

    assert len(names) == 2
    assert all(stored_path(media_root, name).exists() for name in names)
    assert not Attachment.objects.exists()

    stored_files_delete(names)

    assert not any(stored_path(media_root, name).exists() for name in names)


def test_deleting_stored_files_ignores_missing_ones(save, media_root):
    _, names = save(upload("a.txt", b"a"))

    stored_files_delete(["attachments/2000/01/gone.txt", *names])

    assert not stored_path(media_root, names[0]).exists()


def test_deleting_stored_files_logs_other_errors_and_goes_on(monkeypatch, caplog):
    deleted = []

    class ReadOnlyFirst:
        def delete(self, name):
            if name == "a.txt":
                raise PermissionError("read-only")
            deleted.append(name)

    monkeypatch.setattr("tickets.attachments._storage", ReadOnlyFirst)

    with caplog.at_level(logging.ERROR, logger="tickets.attachments"):
        stored_files_delete(["a.txt", "b.txt"])

    assert deleted == ["b.txt"]
    assert "Could not delete stored file a.txt" in caplog.text


# --- Serving ----------------------------------------------------------------------------------


def content_of(response) -> bytes:
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


def test_image_is_served_inline_with_its_real_type(save):
    png = image_bytes("PNG")
    [attachment], _ = save(upload("Screen shot.png", png, "image/png"))

    response = attachment_response(attachment)

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="Screen shot.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert content_of(response) == png


def test_thumbnail_is_served_inline(save):
    [attachment], _ = save(upload("photo.jpg", image_bytes("JPEG", size=(900, 600))))

    response = attachment_response(attachment, thumbnail=True)

    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="photo-thumb.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(content_of(response))).size == (320, 213)


def test_html_file_is_served_as_a_sandboxed_download(save):
    html = b"<html><script>alert(document.cookie)</script></html>"
    [attachment], _ = save(upload("page.html", html, "text/html"))

    response = attachment_response(attachment)

    assert response["Content-Type"] == "text/html"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert content_of(response) == html


def test_svg_with_script_is_served_as_a_download(save):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    [attachment], _ = save(upload("logo.svg", svg, "image/svg+xml"))

    response = attachment_response(attachment)

    assert not attachment.is_image and not attachment.thumbnail
    assert response["Content-Disposition"] == 'attachment; filename="logo.svg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    content_of(response)


def test_bmp_image_is_downloaded_not_shown_inline(save):
    [attachment], _ = save(upload("scan.bmp", image_bytes("BMP")))

    response = attachment_response(attachment)

    assert attachment.is_image
    assert response["Content-Disposition"] == 'attachment; filename="scan.bmp"'
    content_of(response)


def test_non_ascii_file_name_is_encoded_for_the_header(save):
    [attachment], _ = save(upload("Übersicht €.pdf", b"%PDF"))

    response = attachment_response(attachment)

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%C3%9Cbersicht%20%E2%82%AC.pdf"
    )
    content_of(response)


def test_missing_stored_file_is_not_found(save, media_root):
    [attachment], names = save(upload("a.txt", b"a"))
    stored_path(media_root, names[0]).unlink()

    with pytest.raises(Http404):
        attachment_response(attachment)


def test_thumbnail_of_a_file_without_one_is_not_found(save):
    [attachment], _ = save(upload("a.txt", b"a"))

    with pytest.raises(Http404):
        attachment_response(attachment, thumbnail=True)


# --- The form field ---------------------------------------------------------------------------


class ReplyForm(forms.Form):
    attachments = AttachmentsField()


def bound_form(*files) -> ReplyForm:
    return ReplyForm(data={}, files=MultiValueDict({"attachments": list(files)}))


def test_form_field_cleans_to_inspected_uploads():
    form = bound_form(upload("a.txt", b"a"), upload("b.png", image_bytes("PNG"), "image/png"))

    assert form.is_valid(), form.errors
    assert [(i.original_name, i.is_image) for i in form.cleaned_data["attachments"]] == [
        ("a.txt", False),
        ("b.png", True),
    ]


def test_form_field_without_files_is_an_empty_list():
    form = ReplyForm(data={}, files=MultiValueDict())

    assert form.is_valid(), form.errors
    assert form.cleaned_data["attachments"] == []


def test_form_field_shows_every_problem(settings):
    settings.ATTACHMENT_MAX_FILES = 1
    form = bound_form(upload("cat.png", b"MZ\x90\x00", "image/png"), upload("empty.txt", b""))

    assert not form.is_valid()
    assert form.errors["attachments"] == [
        "You can attach at most 1 file; you chose 2.",
        "“cat.png” is not a valid image.",
        "“empty.txt” is empty.",
    ]


def test_form_field_can_be_required():
    class RequiredForm(forms.Form):
        attachments = AttachmentsField(required=True)

    form = RequiredForm(data={}, files=MultiValueDict())

    assert not form.is_valid()
    assert form.errors["attachments"] == ["This field is required."]


def test_form_field_renders_a_multiple_file_input_with_the_limits(settings):
    settings.ATTACHMENT_MAX_FILES = 3
    settings.ATTACHMENT_MAX_FILE_SIZE = 2 * 1024 * 1024
    settings.ATTACHMENT_MAX_MESSAGE_SIZE = 5 * 1024 * 1024

    field = ReplyForm()["attachments"]

    assert field.label == "Attachments"
    assert str(field.help_text).replace("\xa0", " ") == "Up to 3 files, 2.0 MB each, 5.0 MB in all."
    assert 'type="file"' in str(field) and "multiple" in str(field)
