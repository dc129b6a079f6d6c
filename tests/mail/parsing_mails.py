"""Mails for the parser tests: well-formed ones built as an EmailMessage, broken ones written
byte by byte, and two small payloads to attach."""

import email.policy
from email.message import EmailMessage

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def make_message(
    *, text: str | None = "Hello, my printer is broken.", **headers: str
) -> EmailMessage:
    message = EmailMessage()
    defaults = {
        "From": "Vera Customer <Vera@Example.COM>",
        "To": "support@helpdesk.example",
        "Subject": "Printer shows E-042",
        "Date": "Tue, 02 Jan 2024 10:15:00 +0300",
        "Message-ID": "<CAF=abc123@mail.example.com>",
    }
    for name, value in {**defaults, **headers}.items():
        if value is not None:
            message[name.replace("_", "-")] = value
    if text is not None:
        message.set_content(text)
    return message


def as_raw(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=email.policy.SMTP)


def raw_mail(headers: str, body: bytes = b"Hello.\r\n", *, encoding: str = "ascii") -> bytes:
    header_block = headers.strip("\n").replace("\n", "\r\n").encode(encoding)
    return header_block + b"\r\n\r\n" + body
