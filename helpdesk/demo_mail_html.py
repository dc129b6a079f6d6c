"""Demo data: an HTML newsletter as vendors send them, so `make run` shows a mail's HTML in its
sandboxed frame: a one-line plain part ("view it online"), the content in the HTML, an inline
logo the HTML shows in place and a remote tracking image held back until the tech asks."""

import base64
import io
import textwrap

from PIL import Image, ImageDraw

NEWSLETTER_SUBJECT = "Contoso Printers: firmware 4.2 is out"


def _logo() -> bytes:
    image = Image.new("RGB", (360, 72), (13, 71, 161))
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 14, 56, 58), fill=(255, 193, 7))
    draw.text((72, 22), "CONTOSO PRINTERS", fill=(255, 255, 255), font_size=24)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")  # the same bytes on every load: the intake knows the mail again
    return buffer.getvalue()


def _base64_lines(data: bytes) -> str:
    return "\r\n".join(textwrap.wrap(base64.b64encode(data).decode(), 76))


def demo_newsletter_mail() -> bytes:
    html = "\n".join(
        [
            "<html><head><style>p { margin: 0 0 12px }</style></head><body>",
            '<table width="600" cellpadding="0" cellspacing="0" bgcolor="#f4f6fb"'
            ' style="font-family:Arial,sans-serif">',
            '<tr><td bgcolor="#0d47a1" style="padding:12px">'
            '<img src="cid:image001.png@01DB8C4A.5F3E2A10" alt="Contoso Printers"'
            ' width="360" height="72"></td></tr>',
            '<tr><td style="padding:16px;color:#1b2a41;font-size:15px">',
            '<h2 style="color:#0d47a1">Firmware 4.2 is out</h2>',
            "<p>Dear partner,</p>",
            "<p>Firmware 4.2 fixes the <b>E-042 paper jam</b> error that stopped print jobs"
            " after the last update, and makes duplex printing 20% faster.</p>",
            "<ul><li>Fixes error E-042 on trays 2 and 3</li><li>Faster duplex printing</li>"
            "<li>New toner level warnings</li></ul>",
            '<p><a href="https://contoso.example/firmware/4.2" style="color:#0d47a1">'
            "Download firmware 4.2</a></p>",
            '<p style="font-size:12px;color:#6c757d">'
            "You receive this mail as a registered Contoso partner.</p>",
            '<img src="https://track.contoso.example/open.gif?id=8812" width="1" height="1"'
            ' alt="">',
            "</td></tr></table></body></html>",
        ]
    )
    return (
        "From: Contoso Printers <news@contoso.example>\r\n"
        "To: support@example.com\r\n"
        f"Subject: {NEWSLETTER_SUBJECT}\r\n"
        "Date: Mon, 03 Mar 2025 08:00:00 +0000\r\n"
        "Message-ID: <demo-newsletter-42@contoso.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="demo-alt"\r\n\r\n'
        "--demo-alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "View this newsletter in your browser: https://contoso.example/news/42\r\n\r\n"
        '--demo-alt\r\nContent-Type: multipart/related; boundary="demo-rel"; type="text/html"\r\n'
        "\r\n--demo-rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + html.replace("\n", "\r\n")
        + "\r\n--demo-rel\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-ID: <image001.png@01DB8C4A.5F3E2A10>\r\n\r\n"
        + _base64_lines(_logo())
        + "\r\n--demo-rel--\r\n\r\n--demo-alt--\r\n"
    ).encode()
