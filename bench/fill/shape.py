"""What the generated helpdesk looks like: its sizes, departments and shares, and the words in it.

Names, subjects and bodies are few and repeated: the pages being timed care about row counts and
string lengths, not about variety."""

# Bump when the generated shape changes: a kept database filled by another version is refilled.
# 2: the SLA clocks on every ticket, resolution limits on departments.
# 3: the reports' history: closings (15% past deadline, 5% reopened and closed again),
#    consultations, satisfaction ratings, inbound mail, sign-ins, and an admin.
# 4: each consultation carries its case's department and owner when it was sent.
# 5: searchable text (issue 14): every message ends with a line of varied words (English,
#    Russian, Ukrainian, accented) and a serial number found in that message alone; a third of
#    the tickets carry an order number.
FILL_VERSION = "5"
SEED = 20240611

MEASURED_TECH_EMAIL = "measured-tech@bench.example.com"
ADMIN_EMAIL = "admin@bench.example.com"  # reads the reports of every department
TECHS = 50
CUSTOMERS = 50_000
MINE_ACTIVE = 40  # the measured tech's pool ("mine")
MINE_PENDING = 12
MINE_RETURNED = 3  # of the pool, tickets the customer wrote back to
THREAD_LENGTH = 50

# name, SLA in hours, share of the tickets
DEPARTMENTS = [
    ("Technical support", 8, 0.24),
    ("Billing", 24, 0.18),
    ("Accounts", 24, 0.12),
    ("Shipping", 48, 0.10),
    ("Returns", 48, 0.09),
    ("Sales", 8, 0.08),
    ("Hardware", 24, 0.07),
    ("Network", 4, 0.05),
    ("Security", 2, 0.04),
    ("Partners", 72, 0.03),
]
# Each department's resolution limit is this many times its response limit.
RESOLUTION_FACTOR = 3
# department index -> the measured tech's retrieval priority there
MEASURED_MEMBERSHIPS = {0: 3, 1: 1, 4: 2}

PRIORITY_CUTS = [0.20, 0.70, 0.95]  # low 20%, medium 50%, high 25%, emergency 5%
SOURCES = [
    ("email", 0.45),
    ("public_form", 0.30),
    ("phone", 0.10),
    ("customer_area", 0.07),
    ("member_area", 0.04),
    ("staff", 0.03),
    ("walk_in", 0.01),
]
FIRST_NAMES = [
    "Anna", "Ben", "Chloé", "David", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas",
    "Kasia", "Liam", "Maya", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sami", "Tara",
]  # fmt: skip
LAST_NAMES = [
    "Andersen", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Huber", "Ivanova",
    "Jensen", "Kowalski", "Laurent", "Müller", "Nowak", "Okafor", "Petrov", "Rossi", "Schmidt",
    "Tanaka", "Usman", "Varga", "Weber", "Yilmaz", "Zhang", "Novák",
]  # fmt: skip
SUBJECTS = [
    "Cannot sign in after password reset",
    "Invoice shows the wrong VAT number",
    "Order arrived damaged",
    "Refund not received yet",
    "VPN drops every few minutes",
    "Printer offline on the second floor",
    "Please change the delivery address",
    "Two-factor code never arrives",
    "Question about the enterprise plan",
    "Export to CSV times out",
    "Charged twice for the same month",
    "Parcel stuck in customs",
    "Laptop does not boot after update",
    "Need a copy of last year's invoices",
    "Account locked after failed attempts",
    "Wrong item in my order",
]
BODIES = [
    "Hello,\n\nsince this morning I cannot sign in any more. I reset my password twice and the "
    "page still says the password is wrong. Could you have a look?\n\nThanks",
    "Hi, the invoice attached to my last order shows an old VAT number. Our accounting needs a "
    "corrected copy before the end of the month. Best regards",
    "Thank you for getting back to me. I tried what you suggested and it works now on my laptop, "
    "but my colleague still sees the same error on hers.",
    "Dear support team,\n\nthe parcel came today but the box was crushed and two of the glasses "
    "inside are broken. I have photos if you need them. What should I do?",
    "We checked the logs: the request reached us at 09:14 and failed on the payment provider's "
    "side. I have asked them to look into it and will write again as soon as I hear back.",
    "Customer called again, very polite but getting impatient. Promised an answer by tomorrow.",
    "I have refunded the second charge; it should be back on your card within five working "
    "days. Sorry for the trouble.",
    "Could you please tell me when the replacement will be shipped? I need it before Friday.",
]
# One of these ends each message (with a serial number of its own), so a word search finds a
# few thousand messages, not an eighth of them, and a serial number one message.
SEARCH_WORDS = [
    "firmware", "router", "thermostat", "warranty", "subscription", "voucher", "courier",
    "barcode", "keyboard", "webcam", "scanner", "headset", "charger", "battery", "monitor",
    "docking", "bluetooth", "certificate", "mailbox", "calendar", "spreadsheet", "licence",
    "invoice-copy", "café", "résumé", "naïve", "crème", "façade", "Zürich", "São Paulo",
    "принтер", "накладная", "гарантия", "счёт", "доставка", "возврат", "пароль", "роутер",
    "рахунок", "доставку", "повернення", "гарантію", "замовлення", "пароль", "ноутбук",
    "квитанція", "підписка", "кур'єр", "сканер", "зарядка", "батарея", "монітор", "клавіатура",
    "навушники", "ліцензія", "календар", "сертифікат", "вебкамера", "пошта", "таблиця",
]  # fmt: skip
ORDER_SHARE_MODULO = 3  # every third ticket carries an order number, ORD-<1000000 + n>
CANNED_TITLES = [
    "Greeting",
    "Asking for a screenshot",
    "Refund issued",
    "Password reset steps",
    "Escalated to second level",
    "Closing: no answer",
    "Shipping times",
    "Invoice copy",
    "Thanks for your patience",
    "Known outage",
]

# The reports' history (bench/fill/history.py, bench/fill/mail_history.py).
# Consulted cases: a quarter of those closed past their deadline, 6% of the others with an
# owner (about 8% of all); of the late ones two thirds were consulted after the deadline. A
# sixth of consulted cases were consulted twice.
CONSULTED_LATE = 0.25
CONSULTED_OTHERS = 0.06
CONSULTED_AFTER_DEADLINE = 2 / 3
CONSULTED_TWICE = 0.15
# How closed cases closed: the rest by a tech.
AUTO_CLOSED = 0.04  # after waiting for the customer
SPAM_CLOSED = 0.01
REOPENED = 0.05  # of those a tech closed: the customer wrote back, the case closed again
RATED = 0.20  # of all closed cases, within three days of the closing
# label of the seeded satisfaction marks (tickets/migrations/0020) -> share of the ratings
MARK_SHARES = [0.50, 0.30, 0.12, 0.08]
RATING_COMMENTS = [
    "Quick and friendly, thank you!",
    "Solved, but it took three mails to get there.",
    "The answer did not cover the second question.",
]
# Inbound mail: every case opened by mail, 0-2 customer mails on every case, each
# consultation's answer and each reopening's mail are taken in; beside them, per ticket,
# spam and automatic replies that are not.
SPAM_MAILS = 0.06
IGNORED_MAILS = 0.02
# Techs sign in on this share of working days (Monday to Friday, two years); this share of
# their sessions expires instead of being signed out.
SIGN_IN_DAYS = 0.9
SESSIONS_EXPIRED = 0.15

# The long thread, repeated five times: what a drawn-out case looks like.
THREAD_PATTERN = [
    "customer",
    "event:claimed",
    "reply",
    "customer",
    "note",
    "reply",
    "customer",
    "event:status_changed",
    "reply",
    "note",
]
