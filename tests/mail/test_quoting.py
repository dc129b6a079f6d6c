import pytest

from tickets.mail.html_sanitizing import html_to_text
from tickets.mail.quoting import split_quoted_history

GMAIL_REPLY = """\
Thanks, restarting fixed it.

On Tue, Jan 2, 2024 at 10:15 AM Support <support@helpdesk.example> wrote:

> Hello Vera,
>
> Please restart the printer.
>
"""

GMAIL_WRAPPED_ATTRIBUTION = """\
Still broken after the restart.

On Tue, Jan 2, 2024 at 10:15 AM Technical Support Department <
support@helpdesk.example> wrote:
> Please restart the printer.
"""

THUNDERBIRD_REPLY = """\
It works now.

On 02.01.2024 10:15, Support wrote:
> Please restart the printer.
"""

APPLE_MAIL_REPLY = """\
Will do.

> On 2 Jan 2024, at 10:15, Support <support@helpdesk.example> wrote:
>
> Please restart the printer.
"""

OUTLOOK_REPLY = """\
Hi, the toner is new.

Best regards,
Vera

-----Original Message-----
From: Support <support@helpdesk.example>
Sent: Tuesday, January 2, 2024 10:15 AM
To: Vera <vera@example.com>
Subject: [#1042] Printer shows E-042

Please check the toner.
"""

OUTLOOK_WEB_REPLY = """\
The toner is new.

________________________________
From: Support <support@helpdesk.example>
Sent: Tuesday, January 2, 2024 10:15
To: Vera
Subject: Printer

Please check the toner.
"""

OUTLOOK_HEADER_BLOCK_ONLY = """\
The toner is new.

From: Support <support@helpdesk.example>
Sent: Tuesday, January 2, 2024 10:15
To: Vera
Subject: Printer

Please check the toner.
"""

RUSSIAN_GMAIL_REPLY = """\
Спасибо, всё заработало.

вт, 2 янв. 2024 г. в 10:15, Поддержка <support@helpdesk.example>:

> Перезагрузите принтер.
"""

RUSSIAN_PISHET_REPLY = """\
Добрый день, не помогло.

02.01.2024 10:15, Поддержка пишет:
> Перезагрузите принтер.
"""

RUSSIAN_NAPISAL_A_REPLY = """\
Спасибо!

2 января 2024 г., 10:15 пользователь Иван Петров написал(а):
> Перезагрузите принтер.
"""

UKRAINIAN_GMAIL_REPLY = """\
Дякую, все працює.

вт, 2 січ. 2024 р. о 10:15 Підтримка <support@helpdesk.example> пише:
> Перезавантажте принтер.
"""

UKRAINIAN_NAPYSAV_REPLY = """\
Не допомогло.

02.01.2024 о 10:15 Іван Петренко написав:
> Перезавантажте принтер.
"""

RUSSIAN_OUTLOOK_REPLY = """\
Картридж новый.

-----Исходное сообщение-----
От: Поддержка <support@helpdesk.example>
Отправлено: 2 января 2024 г. 10:15
Кому: Вера
Тема: Принтер

Проверьте картридж.
"""

UKRAINIAN_OUTLOOK_REPLY = """\
Картридж новий.

Від: Підтримка <support@helpdesk.example>
Надіслано: 2 січня 2024 р. 10:15
Кому: Віра
Тема: Принтер

Перевірте картридж.
"""


@pytest.mark.parametrize(
    ("mail", "new_text", "history_start"),
    [
        (GMAIL_REPLY, "Thanks, restarting fixed it.", "On Tue, Jan 2"),
        (GMAIL_WRAPPED_ATTRIBUTION, "Still broken after the restart.", "On Tue, Jan 2"),
        (THUNDERBIRD_REPLY, "It works now.", "On 02.01.2024 10:15, Support wrote:"),
        (APPLE_MAIL_REPLY, "Will do.", "> On 2 Jan 2024"),
        (OUTLOOK_REPLY, "Hi, the toner is new.\n\nBest regards,\nVera", "-----Original"),
        (OUTLOOK_WEB_REPLY, "The toner is new.", "______"),
        (OUTLOOK_HEADER_BLOCK_ONLY, "The toner is new.", "From: Support"),
        (RUSSIAN_GMAIL_REPLY, "Спасибо, всё заработало.", "вт, 2 янв. 2024 г."),
        (RUSSIAN_PISHET_REPLY, "Добрый день, не помогло.", "02.01.2024 10:15, Поддержка"),
        (RUSSIAN_NAPISAL_A_REPLY, "Спасибо!", "2 января 2024 г."),
        (UKRAINIAN_GMAIL_REPLY, "Дякую, все працює.", "вт, 2 січ. 2024 р."),
        (UKRAINIAN_NAPYSAV_REPLY, "Не допомогло.", "02.01.2024 о 10:15"),
        (RUSSIAN_OUTLOOK_REPLY, "Картридж новый.", "-----Исходное сообщение-----"),
        (UKRAINIAN_OUTLOOK_REPLY, "Картридж новий.", "Від: Підтримка"),
    ],
)
def test_reply_is_split_from_its_history(mail, new_text, history_start):
    new, history = split_quoted_history(mail)

    assert new == new_text
    assert history.startswith(history_start)
    assert history.rstrip().endswith(mail.rstrip().splitlines()[-1].strip())


def test_signature_stays_with_the_new_text():
    mail = "Thanks!\n\n-- \nVera Customer\nACME Ltd.\n\nOn Tue, Jan 2, 2024, Support wrote:\n> Hi"

    new, history = split_quoted_history(mail)

    assert new == "Thanks!\n\n-- \nVera Customer\nACME Ltd."
    assert history == "On Tue, Jan 2, 2024, Support wrote:\n> Hi"


def test_mail_without_history_is_returned_whole():
    mail = "My printer shows E-042.\n\n-- \nVera\n"

    assert split_quoted_history(mail) == ("My printer shows E-042.\n\n-- \nVera", "")


def test_trailing_quote_without_attribution_is_history():
    mail = "Yes, it is the HP 1020.\n\n> Which model is it?\n> \n> Support"

    assert split_quoted_history(mail) == (
        "Yes, it is the HP 1020.",
        "> Which model is it?\n> \n> Support",
    )


def test_inline_answers_between_quotes_are_kept_whole():
    mail = "> Which model?\nHP 1020.\n\n> Which error?\nE-042."

    assert split_quoted_history(mail) == (mail, "")


def test_bottom_posted_reply_keeps_everything_as_new_text():
    mail = "On Tue, Jan 2, 2024 at 10:15 AM Support wrote:\n> Which model?\n\nHP 1020."

    assert split_quoted_history(mail) == (mail, "")


def test_bottom_post_with_older_history_below_is_split_at_the_older_history():
    mail = (
        "On 2 Jan 2024, Support wrote:\n> Which model?\n\nHP 1020.\n\n"
        "-----Original Message-----\nFrom: Vera\nSent: Monday\nSubject: Printer\n\nBroken."
    )

    new, history = split_quoted_history(mail)

    assert new == "On 2 Jan 2024, Support wrote:\n> Which model?\n\nHP 1020."
    assert history.startswith("-----Original Message-----")


@pytest.mark.parametrize(
    "mail",
    [
        "> only a quote\n> nothing else",
        "On Mon, Jan 1, 2024, Vera wrote:\n> forwarded by mistake",
        "-----Original Message-----\nFrom: a\nSent: b\nTo: c\n\nbody",
        "\n\n   \n> quote after blank lines",
    ],
)
def test_a_mail_that_is_all_quote_is_returned_whole(mail):
    new, history = split_quoted_history(mail)

    assert new == mail.strip("\n ")
    assert history == ""


def test_forwarded_message_is_not_history():
    mail = "Please look at this.\n\n---------- Forwarded message ---------\nFrom: boss\n\nFix it."

    assert split_quoted_history(mail) == (mail, "")


@pytest.mark.parametrize(
    "mail",
    [
        "Hello,\n\nOn Monday the printer wrote garbage and then\nstopped. It wrote:\nE-042",
        "Hello,\n\nOn the panel the printer wrote:\nE-042",
        "Here is what I tried:\n1. restart\n2. new toner",
        "Error: E-042\nFrom: the printer panel\nDate: today",
        "Thanks,\nVera\n\nP.S. My colleague Ivan wrote:",
        "Spoke to Ivan today, he wrote:\nreinstall the driver",
    ],
)
def test_prose_that_resembles_a_marker_is_not_history(mail):
    assert split_quoted_history(mail) == (mail, "")


def test_windows_line_endings_are_understood():
    mail = "Fixed.\r\n\r\nOn Tue, Jan 2, 2024, Support wrote:\r\n> Restart it.\r\n"

    assert split_quoted_history(mail) == (
        "Fixed.",
        "On Tue, Jan 2, 2024, Support wrote:\n> Restart it.",
    )


def test_quote_in_an_html_only_mail_is_found_in_its_text_rendering():
    text = html_to_text("<p>Works now.</p><blockquote><p>Restart it.</p></blockquote>")

    assert split_quoted_history(text) == ("Works now.", "> Restart it.")


def test_empty_text():
    assert split_quoted_history("") == ("", "")
    assert split_quoted_history(" \n \n") == ("", "")


@pytest.mark.parametrize(
    "attribution", ["On Mon, Tom wrote:", "Иван пишет:", "Олена написала:", "Вера <vera@x.ru>:"]
)
def test_attribution_without_a_date_counts_when_quoted_lines_follow(attribution):
    mail = f"Did not help.\n\n{attribution}\n> Restart it?"

    assert split_quoted_history(mail) == ("Did not help.", f"{attribution}\n> Restart it?")
