"""Files as a browser uploads them, for the attachment tests, and where they end up stored."""

import io
import os
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


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


def stored_path(media_root: Path, name: str) -> Path:
    return media_root / name
