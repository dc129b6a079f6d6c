"""The mail: deterministic, realistic requests, replies, screenshots and out-of-office answers."""

from __future__ import annotations

import datetime
import io
import random
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from bench.ingest.parameters import HTML_SHARE, MIX, SENDERS, USER

FIRST_NAMES = (
    "Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Karin",
    "Liam", "Maria", "Nikolai", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tanya", "Umar", "Vera",
    "Wei", "Xenia", "Yusuf", "Zoe", "Alex", "Bianca", "Chen", "Dmitri",
)  # fmt: skip
LAST_NAMES = (
    "Schmidt", "Novak", "Garcia", "Rossi", "Kowalski", "Ivanova", "Smith", "Tanaka", "Silva",
    "Berg", "Dubois", "Okafor", "Jensen", "Petrov", "Moreau", "Kim", "Larsen", "Costa", "Weber",
    "Fischer", "Hansen", "Lopez", "Meyer", "Young", "Walker", "Horvat",
)  # fmt: skip
DOMAINS = (
    "example.com", "example.org", "example.net", "mail.example.com", "post.example.org",
    "acme.example", "globex.example", "initech.example", "umbrella.example",
)  # fmt: skip
SUBJECTS = (
    "Printer shows error E-{n}",
    "Invoice {n} was charged twice",
    "Cannot log in since this morning",
    "Order {n} has not arrived yet",
    "Refund for order {n}",
    "VPN drops every few minutes",
    "Password reset link does not work",
    "Question about my subscription",
    "Wrong delivery address on order {n}",
    "App crashes when I open settings",
    "How do I export my data?",
    "Need a copy of invoice {n}",
    "Package arrived damaged",
    "Two-factor code never arrives",
    "Upgrade to the business plan",
    "Sync stopped working after update {n}",
    "Cannot add a new user to our account",
    "Exchange of item {n}",
)
SENTENCES = (
    "Since the update yesterday the problem comes back every time I restart.",
    "I have already tried turning it off and on again, without success.",
    "The error message says that the request could not be completed.",
    "Could you please check what is going on with my account?",
    "We are a team of twelve and everybody sees the same thing.",
    "The order number is on the confirmation mail I received last week.",
    "It worked fine until Monday, and nothing changed on our side.",
    "I attached the details I could find, please let me know if you need more.",
    "Our accounting department needs the corrected invoice by Friday.",
    "The tracking page has said the parcel is in transit for six days now.",
    "When I click the link I only see a blank page.",
    "I use the latest version on a laptop and on my phone.",
    "Is there a way to change this myself, or do you have to do it?",
    "The payment left my bank account twice, on the same day.",
    "This is quite urgent for us because the quarter ends next week.",
    "I called yesterday and was told to write to this address.",
    "The box was crushed and one of the parts is broken.",
    "Please tell me what information you need from me.",
    "We would also like to know whether the price includes support.",
    "The code arrives after more than ten minutes, when it has already expired.",
    "Several colleagues cannot open the shared folder either.",
    "I would prefer a replacement over a refund if that is possible.",
)
REPLIES = (
    "Thank you for the quick answer.",
    "I tried what you suggested, but it still does not work.",
    "Here is the additional information you asked for.",
    "The problem happened again this morning at about nine.",
    "Any news on this? We are still waiting.",
    "That solved it, thank you very much!",
    "The order number is {n}, and the invoice date was last Tuesday.",
    "Could you call me back? My number is in the signature.",
)
GREETINGS = ("Hello,", "Hi,", "Good morning,", "Dear support team,", "Hello support,")
CLOSINGS = ("Thanks,", "Best regards,", "Kind regards,", "Cheers,", "Thank you,")
SPAM_SUBJECTS = (
    "CHEAP MEDS ONLINE NOW",
    "You have WON $1,000,000!!!",
    "Exclusive offer: lose weight fast",
    "Urgent business proposal for you",
)
SPAM_SENTENCES = (
    "Click here http://deals.example/win to claim your prize now!!!",
    "Limited offer, buy cheap pills without prescription, 90% discount.",
    "Dear friend, I am a banker with a transfer of $15,000,000 for you.",
    "Earn 5000 USD per week from home, no experience required.",
    "Visit http://casino.example/bonus for free spins and a bonus.",
    "Unsubscribe http://mailer.example/u if you do not want our offers.",
)


@dataclass(frozen=True)
class Thread:
    number: int
    name: str
    address: str
    subject: str
    auto_response_id: str  # the Message-ID of our auto-response, "" when none went out
    auto_response_subject: str


@dataclass(frozen=True)
class Mail:
    kind: str
    raw: bytes
    copy: bool = False  # a second copy of a mail delivered before


class Corpus:
    """Deterministic, realistic mail: customers from a pool of SENDERS addresses, each thread's
    replies from its customer, HTML and text for half of them, screenshots as PNG."""

    def __init__(self, *, seed: int):
        self.rng = random.Random(seed)
        names = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
        self.rng.shuffle(names)
        self.senders = []
        for index in range(SENDERS):
            first, last = names[index % len(names)]
            domain = DOMAINS[index % len(DOMAINS)]
            address = f"{first}.{last}{index}@{domain}".lower()
            self.senders.append((f"{first} {last}", address))
        self.threads: list[Thread] = []
        self.sequence = 0
        self.clock = datetime.datetime(2026, 11, 24, 8, 0, tzinfo=datetime.UTC)
        self.images = [self._png(index) for index in range(16)]
        self.delivered: list[bytes] = []

    def threads_load(self) -> None:
        """The tickets the warm-up opened, with their customer and auto-response."""
        from tickets.models import InboundEmail, OutboundEmail

        responses = {
            ticket_id: (message_id, subject)
            for ticket_id, message_id, subject in OutboundEmail.objects.filter(
                kind="auto_response", status="sent"
            ).values_list("ticket_id", "message_id_header", "subject")
        }
        rows = InboundEmail.objects.filter(status="ticket").values_list(
            "ticket_id", "ticket__number", "ticket__subject", "from_address"
        )
        names = dict(self.senders_by_address())
        for ticket_id, number, subject, address in rows.order_by("pk"):
            response_id, response_subject = responses.get(ticket_id, ("", ""))
            self.threads.append(
                Thread(
                    number=number,
                    name=names.get(address, address),
                    address=address,
                    subject=subject,
                    auto_response_id=response_id,
                    auto_response_subject=response_subject,
                )
            )

    def senders_by_address(self):
        return ((address, name) for name, address in self.senders)

    def batch(self, count: int, *, mix=MIX, duplicates: float = 0.0) -> list[Mail]:
        kinds = self.rng.choices(list(mix), weights=list(mix.values()), k=count)
        mails = [Mail(kind, self.build(kind)) for kind in kinds]
        if duplicates:
            # A second copy some positions later: same Message-ID, one more Received header.
            keyed = [(float(index), mail) for index, mail in enumerate(mails)]
            for index in self.rng.sample(range(count), round(count * duplicates)):
                later = index + self.rng.randint(1, 50) + 0.5
                raw = self._received(mails[index].raw, "backup-mx.example.net") + mails[index].raw
                keyed.append((later, Mail(mails[index].kind, raw, copy=True)))
            mails = [mail for _key, mail in sorted(keyed, key=lambda item: item[0])]
        self.delivered.extend(mail.raw for mail in mails)
        return mails

    def build(self, kind: str) -> bytes:
        rng = self.rng
        self.sequence += 1
        self.clock += datetime.timedelta(seconds=rng.randint(5, 60))
        if kind in ("reply", "automatic"):
            thread = rng.choice(self.threads)
            name, address = thread.name, thread.address
        else:
            name, address = rng.choice(self.senders)
        message_id = f"<{rng.getrandbits(64):016x}.{self.sequence}@{address.split('@')[1]}>"
        headers, attachments, in_reply_to = {}, [], ""
        if kind in ("new", "attachment"):
            subject, text = self.request_text(name=name)
            if kind == "attachment":
                text += "\n\nI attached a screenshot of the error."
                filename = f"Screenshot {self.sequence}.png"
                attachments.append((filename, "image/png", rng.choice(self.images)))
        elif kind == "reply":
            tag = f"[#{thread.number}]"
            base = thread.auto_response_subject or f"{tag} {thread.subject}"
            subject = f"Re: {base}" if tag in base else f"Re: {tag} {base}"
            in_reply_to = thread.auto_response_id
            reply = rng.choice(REPLIES).format(n=rng.randint(10000, 99999))
            quoted = "\n".join(f"> {line}" for line in self._paragraphs(1).splitlines())
            attribution = f"On {format_datetime(self.clock)}, Support <{USER}> wrote:"
            text = f"{rng.choice(GREETINGS)}\n\n{reply}\n\n{rng.choice(CLOSINGS)}\n{name}\n\n"
            text += f"{attribution}\n{quoted}\n"
        else:
            base = thread.auto_response_subject or f"[#{thread.number}] {thread.subject}"
            subject = f"Automatic reply: {base}"
            in_reply_to = thread.auto_response_id
            headers = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
            text = (
                "Thank you for your message. I am out of the office until Monday with limited"
                " access to email. For urgent matters please call our office.\n\n" + name
            )
        html = None
        if kind != "automatic" and rng.random() < HTML_SHARE:
            paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
            html = f'<div dir="ltr" style="font-family:Arial,sans-serif">{paragraphs}</div>'
        return self._message(
            name=name,
            address=address,
            subject=subject,
            text=text,
            html=html,
            message_id=message_id,
            in_reply_to=in_reply_to,
            headers=headers,
            attachments=attachments,
        )

    def request_text(self, name: str = "Customer") -> tuple[str, str]:
        rng = self.rng
        subject = rng.choice(SUBJECTS).format(n=rng.randint(1000, 99999))
        body = self._paragraphs(rng.randint(1, 3))
        signature = f"-- \n{name}\nPhone: +1 555 01{rng.randint(10, 99)}"
        text = f"{rng.choice(GREETINGS)}\n\n{body}\n\n{rng.choice(CLOSINGS)}\n{name}\n\n{signature}"
        return subject, text

    def spam_text(self) -> tuple[str, str]:
        rng = self.rng
        sentences = rng.sample(SPAM_SENTENCES, 3)
        return rng.choice(SPAM_SUBJECTS), " ".join(sentences)

    def _paragraphs(self, count: int) -> str:
        return "\n\n".join(
            " ".join(self.rng.sample(SENTENCES, self.rng.randint(1, 4))) for _ in range(count)
        )

    def _received(self, raw: bytes, host: str) -> bytes:
        when = format_datetime(self.clock)
        line = f"Received: from {host} ([192.0.2.{self.rng.randint(1, 254)}]) by mx.example.test"
        return f"{line}\r\n\twith ESMTPS id {self.rng.getrandbits(48):012x}; {when}\r\n".encode()

    def _message(
        self, *, name, address, subject, text, html, message_id, in_reply_to, headers, attachments
    ) -> bytes:
        message = EmailMessage()
        message["Return-Path"] = f"<{address}>"
        message["From"] = formataddr((name, address))
        message["To"] = f"Support <{USER}>"
        message["Subject"] = subject
        message["Date"] = format_datetime(self.clock)
        message["Message-ID"] = message_id
        if in_reply_to:
            message["In-Reply-To"] = in_reply_to
            message["References"] = in_reply_to
        message["User-Agent"] = self.rng.choice(("Thunderbird 128.4", "Outlook 16.0", "Webmail"))
        for key, value in headers.items():
            message[key] = value
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
        for filename, content_type, payload in attachments:
            maintype, subtype = content_type.split("/")
            message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
        raw = re.sub(rb"\r?\n", b"\r\n", message.as_bytes())
        received = self._received(raw, f"mail.{address.split('@')[1]}")
        return self._received(raw, "mx.example.test") + received + raw

    def _png(self, index: int) -> bytes:
        """A small screenshot-like PNG of about 5 KB (noise does not compress)."""
        from PIL import Image

        image = Image.frombytes("RGB", (40, 40), self.rng.randbytes(40 * 40 * 3))
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()
