"""Signature images: what is refused, what the stored JPEG keeps (pixels only), and the parts an
outgoing reply carries."""

import email
import email.policy
import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMultiAlternatives
from PIL import ExifTags, Image, ImageCms, ImageFile

from accounts import signatures
from accounts.preferences import tech_preferences_update
from accounts.signatures import (
    SignatureParts,
    signature_attach,
    signature_for_email,
    signature_image_process,
)

# JPEG markers that carry metadata: APP1 (EXIF, XMP), APP2 (ICC), APP13 (IPTC), COM (comment).
METADATA_MARKERS = {0xE1, 0xE2, 0xED, 0xFE}
SOF_BASELINE, SOF_PROGRESSIVE = 0xC0, 0xC2


# --- Building files ---------------------------------------------------------------------------


def jpeg_bytes(*, size=(120, 40), mode="RGB", noisy=False, **options) -> bytes:
    if noisy:
        image = Image.frombytes(mode, size, os.urandom(size[0] * size[1] * len(mode)))
    else:
        image = Image.new(mode, size, "navy" if mode == "RGB" else None)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def nosy_exif(*, orientation: int | None = None) -> Image.Exif:
    """EXIF as a phone writes it: the camera, and where the picture was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Nosy Camera Co"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    return exif


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def upload(content: bytes, name="signature.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_markers(data: bytes) -> list[int]:
    """The markers before the image data starts."""
    assert data[:2] == b"\xff\xd8"
    markers, index = [], 2
    while index < len(data):
        assert data[index] == 0xFF
        marker = data[index + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the pixels follow
            break
        index += 2 + int.from_bytes(data[index + 2 : index + 4], "big")
    return markers


def processed_image(content: bytes) -> tuple[Image.Image, bytes]:
    result = signature_image_process(upload(content))
    assert isinstance(result, ContentFile)
    data = result.read()
    return Image.open(io.BytesIO(data)), data


# --- Processing -------------------------------------------------------------------------------


def test_processing_drops_exif_gps_icc_profile_and_comment():
    original = jpeg_bytes(exif=nosy_exif(), icc_profile=srgb_profile(), comment=b"secret")
    assert Image.open(io.BytesIO(original)).getexif()  # the test file does carry EXIF

    image, data = processed_image(original)

    assert image.format == "JPEG"
    assert not image.getexif()
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in image.info
    assert "icc_profile" not in image.info
    assert "comment" not in image.info
    assert not METADATA_MARKERS & set(jpeg_markers(data))
    assert b"Nosy Camera" not in data and b"secret" not in data


def test_processing_writes_a_baseline_jpeg():
    _, data = processed_image(jpeg_bytes(progressive=True))

    markers = jpeg_markers(data)
    assert SOF_BASELINE in markers
    assert SOF_PROGRESSIVE not in markers


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((3000, 500), (600, 100)),  # wide: the width decides
        ((400, 1000), (80, 200)),  # tall: the height decides
        ((1200, 400), (600, 200)),  # exactly the shape of the box
        ((100, 40), (100, 40)),  # small: never enlarged
    ],
)
def test_processing_fits_the_image_in_600_by_200_keeping_its_shape(size, expected):
    image, _ = processed_image(jpeg_bytes(size=size))

    assert image.size == expected


def test_processing_shrinks_a_large_photo_in_full():
    # Large enough for JPEG's reduced-scale decoding to be used on the way.
    image, _ = processed_image(jpeg_bytes(size=(4800, 3200)))

    assert image.size == (300, 200)


def test_processing_turns_the_image_upright_as_its_exif_says():
    # Orientation 6: the camera was turned, so the picture is shown rotated by 90 degrees.
    image, _ = processed_image(jpeg_bytes(size=(160, 40), exif=nosy_exif(orientation=6)))

    assert image.size == (40, 160)


def test_processing_converts_cmyk_and_greyscale_to_rgb():
    for mode in ("CMYK", "L"):
        image, _ = processed_image(jpeg_bytes(mode=mode, noisy=True))

        assert image.mode == "RGB"


def test_processing_keeps_the_first_frame_of_a_multi_picture_jpeg():
    # Some cameras write MPO: a JPEG with more pictures after the first. It is a real JPEG.
    buffer = io.BytesIO()
    first, second = Image.new("RGB", (120, 40), "navy"), Image.new("RGB", (60, 60), "red")
    first.save(buffer, "MPO", save_all=True, append_images=[second])

    image, data = processed_image(buffer.getvalue())

    assert image.format == "JPEG"
    assert image.size == (120, 40)
    assert data.count(b"\xff\xd8") == 1  # one picture left


def test_processing_never_uses_the_uploaded_name():
    result = signature_image_process(upload(jpeg_bytes(), name="../../etc/passwd.jpg"))

    assert result.name == "signature.jpg"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        pytest.param(None, "logo.jpg", id="png-named-jpg"),
        pytest.param(b"GIF89a" + b"\x00" * 40, "logo.jpg", id="gif-header"),
        pytest.param(b"Hello, I am plain text", "notes.jpg", id="text"),
    ],
)
def test_anything_but_a_jpeg_is_refused(content, name):
    if content is None:
        buffer = io.BytesIO()
        Image.new("RGB", (30, 20), "red").save(buffer, "PNG")
        content = buffer.getvalue()

    with pytest.raises(ValidationError) as refused:
        signature_image_process(upload(content, name=name))

    assert refused.value.messages == ["The signature image must be a JPEG."]


def test_a_truncated_jpeg_is_refused():
    whole = jpeg_bytes(size=(400, 300), noisy=True)

    with pytest.raises(ValidationError) as refused:
        signature_image_process(upload(whole[: len(whole) * 2 // 3]))

    assert refused.value.code == "invalid_image"
    assert "damaged or incomplete" in refused.value.messages[0]


def test_an_image_over_the_pixel_limit_is_refused_before_decoding(monkeypatch):
    bomb = upload(jpeg_bytes(size=(100, 100)))
    monkeypatch.setattr(signatures, "SIGNATURE_MAX_PIXELS", 100 * 100 - 1)
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image))

    with pytest.raises(ValidationError) as refused:
        signature_image_process(bomb)

    assert refused.value.code == "image_too_large"
    assert "too many pixels" in refused.value.messages[0]
    assert not decoded


def test_pillows_own_bomb_warning_is_a_refusal(monkeypatch):
    # Pillow warns, and would go on decoding, between its limit and twice its limit.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100 * 100 - 1)

    with pytest.raises(ValidationError) as refused:
        signature_image_process(upload(jpeg_bytes(size=(100, 100))))

    assert refused.value.code == "image_too_large"


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    content = jpeg_bytes(size=(200, 200), noisy=True)
    monkeypatch.setattr(signatures, "SIGNATURE_MAX_UPLOAD_SIZE", len(content) - 1)

    with pytest.raises(ValidationError) as refused:
        signature_image_process(upload(content))

    assert refused.value.code == "file_too_big"


def test_an_upload_longer_than_it_claims_is_still_refused(monkeypatch):
    content = jpeg_bytes(size=(200, 200), noisy=True)
    monkeypatch.setattr(signatures, "SIGNATURE_MAX_UPLOAD_SIZE", len(content) - 1)
    lying = upload(content)
    lying.size = 10

    with pytest.raises(ValidationError) as refused:
        signature_image_process(lying)

    assert refused.value.code == "file_too_big"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as refused:
        signature_image_process(upload(b""))

    assert refused.value.code == "empty"


# --- The parts of an outgoing reply -----------------------------------------------------------


def _with_signature(user, *, text="", image: bytes | None = None):
    return tech_preferences_update(
        user=user,
        reply_as_note_by_default=False,
        signature_text=text,
        signature_image=signature_image_process(upload(image)) if image else None,
        remove_image=False,
    )


def test_no_text_and_no_image_means_no_signature(tech):
    assert signature_for_email(tech) is None


def test_text_signature_is_escaped_with_its_line_breaks_kept(tech):
    tech = _with_signature(tech, text="Tom <b>Tech</b>\nSupport & care")

    parts = signature_for_email(tech)

    assert parts == SignatureParts(
        text="Tom <b>Tech</b>\nSupport & care",
        html="<p>Tom &lt;b&gt;Tech&lt;/b&gt;<br>Support &amp; care</p>",
        image_bytes=None,
        content_id=f"signature-{tech.pk}@helpdesk",
        image_filename="signature.jpg",
    )


def test_image_signature_refers_to_the_image_by_content_id(tech):
    tech = _with_signature(tech, text="Tom", image=jpeg_bytes(exif=nosy_exif()))

    parts = signature_for_email(tech)

    assert parts.text == "Tom"
    assert parts.html == (
        f'<p>Tom</p><p><img src="cid:signature-{tech.pk}@helpdesk" alt="Signature of Tom Tech"></p>'
    )
    assert parts.image_bytes == tech.signature_image.read()
    assert parts.image_bytes.startswith(b"\xff\xd8")
    assert b"Nosy Camera" not in parts.image_bytes
    assert parts.image_filename == "signature.jpg"


def test_image_alone_is_a_signature(tech):
    tech = _with_signature(tech, image=jpeg_bytes())

    parts = signature_for_email(tech)

    assert parts.text == ""
    assert parts.html.startswith("<p><img ")


def test_an_image_lost_from_storage_is_left_out_of_the_reply(tech, media_root):
    tech = _with_signature(tech, text="Tom", image=jpeg_bytes())
    (media_root / tech.signature_image.name).unlink()

    parts = signature_for_email(tech)

    assert parts.image_bytes is None
    assert "<img" not in parts.html


def test_attached_signature_renders_as_an_inline_related_image(tech, mailoutbox):
    tech = _with_signature(tech, text="Tom", image=jpeg_bytes())
    parts = signature_for_email(tech)
    message = EmailMultiAlternatives(
        "Re: [#1042] Printer", f"Hello\n\n-- \n{parts.text}", to=["carla@example.org"]
    )
    message.attach_alternative(f"<p>Hello</p>{parts.html}", "text/html")

    signature_attach(message, parts)
    message.send()

    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/related"
    alternative, image = parsed.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    html = alternative.get_body(preferencelist=("html",)).get_content()
    assert f'src="cid:{parts.content_id}"' in html
    assert image.get_content_type() == "image/jpeg"
    assert image["Content-ID"] == f"<{parts.content_id}>"
    assert image.get_content_disposition() == "inline"
    assert image.get_filename() == "signature.jpg"
    assert image.get_content() == parts.image_bytes
    assert len(mailoutbox) == 1


def test_attaching_a_signature_without_image_leaves_the_message_alone(tech):
    tech = _with_signature(tech, text="Tom")
    message = EmailMultiAlternatives("Re: hello", "Hello", to=["carla@example.org"])

    signature_attach(message, signature_for_email(tech))

    assert message.attachments == []
    assert message.mixed_subtype == "mixed"
