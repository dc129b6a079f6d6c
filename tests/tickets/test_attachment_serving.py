"""Attachments: how stored files are served back, inline or as a sandboxed download."""

import io

import pytest
from django.http import Http404
from PIL import Image

from tests.tickets.uploads import image_bytes, stored_path, upload
from tickets.attachments import attachment_response

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
    assert response["Cache-Control"] == "private, no-store"
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
