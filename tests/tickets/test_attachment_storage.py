"""Attachments: how files are stored under random names with thumbnails, and deleted again."""

import logging
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from PIL import Image

from tests.tickets.uploads import image_bytes, stored_path, upload
from tickets.attachments import attachments_inspect, attachments_save, stored_files_delete
from tickets.models import Attachment, Message

STORED_NAME = re.compile(r"attachments/\d{4}/\d{2}/[0-9a-f]{32}")


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
