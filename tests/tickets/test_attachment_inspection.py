"""Attachments: which files are refused, and how the accepted ones are typed and named."""

import os
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError

from tests.tickets.uploads import image_bytes, upload
from tickets.attachments import InspectedUpload, attachment_inspect, attachments_inspect


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
