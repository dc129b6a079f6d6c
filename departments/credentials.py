"""Mailbox passwords at rest: encrypted with Fernet under MAILBOX_CREDENTIALS_KEY (required in
production, derived from SECRET_KEY only in the quickstart; see settings). They are decrypted
only by the worker that logs in, and never shown back in any page."""

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    return Fernet(settings.MAILBOX_CREDENTIALS_KEY)


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
