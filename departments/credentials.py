"""Mailbox passwords at rest: encrypted with Fernet under a key from the environment
(MAILBOX_CREDENTIALS_KEY), or derived from SECRET_KEY when that is not set. They are decrypted
only by the worker that logs in, and never shown back in any page."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = settings.MAILBOX_CREDENTIALS_KEY
    if not key:
        digest = hashlib.sha256(f"mailbox-credentials:{settings.SECRET_KEY}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


def secret_encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def secret_decrypt(token: str) -> str:
    """The stored secret; a value that no longer decrypts (the key changed) reads as empty, so
    the mailbox reports a login failure rather than crashing the poller."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
