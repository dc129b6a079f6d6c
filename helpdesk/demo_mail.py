"""Demo mail as real mail programs send it, read as its sender meant it (issue 13): a Russian
mail in KOI8-R that declares no charset anywhere (subject, name and body are raw 8-bit bytes),
and a Chinese mail whose attachment is named in a GB2312-labelled encoded word. Taken in
through the intake like any mail; a second load finds them recorded and changes nothing."""

import base64

from tickets.mail.intake import inbound_receive
from tickets.models import InboundEmail

_PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _russian_without_charset() -> bytes:
    return b"".join(
        [
            b"From: ",
            "Дмитрий Орлов".encode("koi8-r"),
            b" <dmitry.orlov@example.ru>\r\nTo: support@example.com\r\nSubject: ",
            "Сканер не отправляет документы на почту".encode("koi8-r"),
            b"\r\nDate: Mon, 23 Nov 2026 09:12:00 +0300\r\n"
            b"Message-ID: <demo-koi8r-1@example.ru>\r\n\r\n",
            (
                "Здравствуйте!\r\n\r\nС понедельника сканер в приёмной не отправляет документы"
                " на почту: пишет 'Ошибка соединения с сервером'.\r\nПерезагружали дважды, не"
                " помогло.\r\n\r\nС уважением,\r\nДмитрий Орлов\r\n"
            ).encode("koi8-r"),  # KOI8-R has no « », as a Russian mailer of old would write
        ]
    )


def _chinese_attachment_name() -> bytes:
    filename = "=?gb2312?B?" + base64.b64encode("报价单-打印机维修.pdf".encode("gbk")).decode()
    body = "您好！\r\n附件是打印机维修的报价单，请查收。\r\n\r\n李华\r\n".encode("gbk")
    return (
        b"From: =?gb2312?B?" + base64.b64encode("李华".encode("gbk")) + b"?= <lihua@example.cn>\r\n"
        b"To: support@example.com\r\n"
        b"Subject: =?gb2312?B?" + base64.b64encode("打印机维修报价".encode("gbk")) + b"?=\r\n"
        b"Date: Mon, 23 Nov 2026 15:40:00 +0800\r\nMessage-ID: <demo-gb2312-1@example.cn>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="demo-b"\r\n\r\n'
        b"--demo-b\r\nContent-Type: text/plain; charset=gb2312\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(body) + b"\r\n"
        b"--demo-b\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="' + filename.encode() + b'?="\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(_PDF) + b"\r\n"
        b"--demo-b--\r\n"
    )


DEMO_MAILS_READ_RIGHT = [_russian_without_charset(), _chinese_attachment_name()]


def demo_mail_load() -> None:
    for raw in DEMO_MAILS_READ_RIGHT:
        inbound_receive(raw=raw, channel=InboundEmail.Channel.WEBHOOK, mailbox=None)
