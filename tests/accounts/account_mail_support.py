"""Helpers of the account mail tests: the link a mail carries."""

import re
from urllib.parse import urlsplit

LINK = re.compile(r"https?://\S+/accounts/(?:password-reset|signup/confirm)/[^/\s]+/[^/\s]+/")


def link_in(mail) -> str:
    """The path of the personal link in an account mail."""
    found = LINK.search(mail.body)
    assert found, mail.body
    return urlsplit(found.group(0)).path
