"""The Bayesian spam filter: tokens, scores, learning from techs' corrections, concurrency, cost."""

# Russian mail is part of the point here, so Cyrillic letters that look Latin are intended.

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets.mail.spam import (
    MAX_TOKENS_PER_MESSAGE,
    MIN_LEARNED_PER_KIND,
    SPAM_THRESHOLD,
    is_spam,
    spam_corpus_size,
    spam_learn,
    spam_score,
    spam_tokens,
)
from tickets.models import SpamToken


def mails(block):
    """(subject, text, sender) from paragraphs: "sender | subject", then the text's lines."""
    result = []
    for paragraph in block.strip().split("\n\n"):
        head, *text = paragraph.splitlines()
        sender, subject = head.split(" | ")
        result.append((subject, " ".join(text), sender))
    return result


# Short mails as they arrive at a support address.
SPAM = mails(
    """
deals@rx-pharmacy.example | Cheap viagra online
Buy viagra and cialis without prescription, 80% off. Order now at
http://cheap-pills.example/buy

sales@rx-pharmacy.example | Best pills price
Cialis, viagra, levitra. Discount pharmacy, no prescription needed. http://rx-pharmacy.example

orders@meds-online.example | Your pharmacy order
Generic viagra pills shipped worldwide, discreet packaging, order today and save $99

promo@meds-online.example | Enlarge now
Natural pills, discount price, no prescription. Click http://meds-online.example/offer

noreply@cheap-pills.example | Online pharmacy discount
Order cheap cialis online, best price guaranteed, free shipping worldwide

claims@lottery-intl.example | YOU HAVE WON THE LOTTERY
Congratulations! Your email won $1,000,000 in the international lottery. Send your bank details
to claim the prize!!!

agent@lottery-intl.example | Claim your prize now
You are the lucky winner of our lottery draw. To claim your prize of 500,000 USD contact our
agent

notify@prize-center.example | Winner notification
Dear winner, your ticket won the jackpot. Claim your prize money before Friday, send a
processing fee

win@prize-center.example | Congratulations winner
Your mobile number won a lottery prize of 250,000 EUR. Reply with your bank account to claim

manager@offshore-bank.example | URGENT BUSINESS PROPOSAL
I am a bank manager with 15 million dollars to transfer. You get 40% of the money, reply
urgently

invest@crypto-profit.example | Double your bitcoin
Invest in bitcoin today and double your crypto in 7 days. Guaranteed profit!
http://crypto-profit.example

bot@crypto-profit.example | Crypto investment opportunity
Our trading bot earns 300% profit on bitcoin and ethereum. Invest $250 and get rich
http://crypto-profit.example/join

giveaway@coin-drop.example | Free bitcoin giveaway
Send 0.1 bitcoin to our wallet and receive 1 bitcoin back. Limited crypto giveaway!!!

jobs@easy-money.example | Earn money from home
Make $5000 per week working from home. No experience, guaranteed income, click
http://easy-money.example

vip@coin-drop.example | Guaranteed profit
Passive income with crypto trading, invest now, withdraw profit daily http://coin-drop.example

meet@dating-hot.example | Hot singles in your area
Lonely singles want to meet you tonight. Click http://dating-hot.example now, it is free

shop@replica-shop.example | Limited offer just for you
Replica watches, designer bags, 90% discount. Buy now http://replica-shop.example
http://replica-shop.example/bags http://replica-shop.example/watches
http://replica-shop.example/sale

deals@replica-shop.example | Act now, offer expires
Exclusive deal, buy cheap replica watches, discount ends tonight, click here

security@paypa1-verify.example | Your account is suspended
Verify your paypal account now or it will be suspended. Click
http://paypa1-verify.example/login and enter your password and card

bonus@lucky-casino.example | Casino bonus
Get 200% casino bonus and free spins. Win money tonight at http://lucky-casino.example

sale@apteka-deshevo.example | Дешевая виагра без рецепта
Купите виагру и сиалис без рецепта со скидкой 70%. Заказ на http://apteka-deshevo.example

info@apteka-deshevo.example | Аптека онлайн скидки
Таблетки для мужчин, скидка, доставка по всей России, без рецепта, закажите сейчас

prize@loto-million.example | ВЫ ВЫИГРАЛИ ПРИЗ
Поздравляем! Ваш номер выиграл в лотерею 1 000 000 руб. Для получения приза оплатите
комиссию!!!

win@loto-million.example | Получите ваш выигрыш
Вы победитель лотереи. Чтобы забрать приз, отправьте данные банковской карты

invest@kripto-dohod.example | Заработок на криптовалюте
Инвестируйте в биткоин и получайте доход 300% в месяц. Гарантированная прибыль
http://kripto-dohod.example

bot@kripto-dohod.example | Пассивный доход
Наш торговый бот зарабатывает на криптовалюте. Вложите 5000 руб и получайте прибыль каждый день

job@legkie-dengi.example | Работа на дому
Зарабатывайте от 100 000 руб в неделю не выходя из дома. Без опыта, гарантированный доход

bonus@kazino-bonus.example | Казино бонус
Бонус 200% и бесплатные вращения в онлайн казино. Выигрывайте деньги сегодня
http://kazino-bonus.example

shop@replika-shop.example | Скидка только сегодня
Реплики часов и сумок со скидкой 90%, закажите сейчас, предложение ограничено

security@bank-proverka.example | Ваш аккаунт заблокирован
Подтвердите данные карты, иначе аккаунт будет заблокирован. Перейдите
http://bank-proverka.example и введите пароль
"""
)

HAM = mails(
    """
anna@acme.example | Printer not working
Hi, the printer on the second floor shows a paper jam and will not print. Could someone take a
look? Thanks, Anna

bob@acme.example | Cannot print invoices
Hello, since this morning I cannot print invoices from the accounting program, the printer
queue is stuck

carl@acme.example | Printer toner
Hi support, the office printer says toner is low. Do we have a spare cartridge? Regards, Carl

dana@acme.example | Password reset
Hello, I forgot my password and cannot log in to my account. Could you reset it please? Thanks

emil@acme.example | Locked out of my account
Hi, my account got locked after I typed the wrong password three times. Please unlock it

fiona@globex.example | Password expired
Good morning, the system says my password expired and the reset link does not work. Can you
help?

george@globex.example | Invoice question
Hello, invoice 2024-117 shows the wrong VAT number for our company. Could you send a corrected
invoice?

helen@globex.example | Missing invoice for March
Hi, we did not receive the invoice for March. Please send a copy to accounting. Thank you

ivan@initech.example | Invoice payment
Hello, we paid invoice 5531 last week but your system still shows it as unpaid. Bank reference
attached

julia@initech.example | VPN does not connect
Hi, the VPN client fails to connect from home with an authentication error. I need it for work
tomorrow

kate@initech.example | Email not syncing
Hello, my work email stopped syncing on my phone since yesterday. Could you check my mailbox
settings?

leo@acme.example | New laptop setup
Hi, a new colleague starts on Monday. Could you prepare a laptop and an account for her?
Thanks, Leo

mia@acme.example | Monitor flickering
Hello support, my second monitor keeps flickering. I tried another cable, same problem. Please
help

nick@globex.example | Access to shared folder
Hi, I need access to the accounting shared folder for the invoices. My manager approved it.
Thanks

olga@globex.example | Re: ticket about printer
Thanks for fixing the printer yesterday, it works now. You can close the ticket

paul@initech.example | Software license
Hello, my license for the drawing software expired. Could you renew it or tell me whom to ask?

rita@initech.example | Phone not ringing
Hi, my desk phone does not ring for incoming calls, but I can call out. Could someone check it?

sam@acme.example | Wi-Fi in meeting room
Hello, the Wi-Fi in meeting room B keeps dropping during calls. Could you look into it this
week?

tina@globex.example | Report access
Hi, I cannot open the monthly sales report, it says access denied. Could you check my
permissions?

umar@initech.example | Backup question
Hello, could you restore yesterday's version of a document I overwrote by mistake on the shared
drive?

anna@romashka.example | Не работает принтер
Здравствуйте, принтер на третьем этаже не печатает, горит ошибка замятия бумаги. Посмотрите,
пожалуйста

boris@romashka.example | Не могу распечатать счета
Добрый день, с утра не получается распечатать счета из бухгалтерской программы, очередь печати
зависла

vera@romashka.example | Сброс пароля
Здравствуйте, я забыла пароль и не могу войти в учетную запись. Сбросьте, пожалуйста, пароль

gleb@vektor.example | Учетная запись заблокирована
Добрый день, после трех попыток ввода пароля учетная запись заблокирована. Разблокируйте,
пожалуйста

dina@vektor.example | Вопрос по счету
Здравствуйте, в счете номер 318 указан неверный ИНН нашей организации. Пришлите исправленный
счет

egor@vektor.example | Не пришел счет за март
Добрый день, мы не получили счет за март. Отправьте, пожалуйста, копию в бухгалтерию. Спасибо

zoya@vektor.example | Не подключается VPN
Здравствуйте, VPN из дома не подключается, пишет ошибку авторизации. Нужен для работы завтра

igor@romashka.example | Почта не синхронизируется
Добрый день, рабочая почта перестала синхронизироваться на телефоне со вчерашнего дня.
Проверьте настройки

kira@romashka.example | Доступ к общей папке
Здравствуйте, нужен доступ к общей папке бухгалтерии со счетами. Руководитель согласовал.
Спасибо

lev@vektor.example | Мерцает монитор
Добрый день, второй монитор постоянно мерцает, кабель менял, не помогло. Помогите, пожалуйста
"""
)


def tokens_of(subject, text, sender):
    return spam_tokens(subject=subject, text=text, from_address=sender)


def train(spam=SPAM, ham=HAM):
    for message in spam:
        spam_learn(tokens=tokens_of(*message), is_spam=True)
    for message in ham:
        spam_learn(tokens=tokens_of(*message), is_spam=False)


def counts(token):
    return SpamToken.objects.values_list("spam_count", "ham_count").get(token=token)


# --- tokenizer -----------------------------------------------------------------------------------


def test_tokens_are_lowercased_words_of_three_to_forty_letters_or_digits_in_any_script():
    tokens = tokens_of("", "Принтер НЕ печатает: Error 0x51, ok a_b ёжик 2024 " + "я" * 41, "")

    assert {"принтер", "печатает", "error", "0x51", "ёжик", "2024"} <= tokens
    assert not {"не", "ok", "a_b", "ab", "я" * 41} & tokens


def test_subject_words_are_prefixed_and_the_sender_domain_is_a_token():
    tokens = tokens_of("Сброс пароля", "body", "Anna Smith <Anna@Mail.Acme.Example>")

    assert {"s:сброс", "s:пароля", "from:mail.acme.example", "body"} <= tokens
    assert "сброс" not in tokens


def test_url_hostnames_become_tokens():
    text = (
        "See HTTPS://Shop.Example/buy?x=1, www.deals.example/a and http://user@evil.example:8080/"
    )

    tokens = tokens_of("", text, "")

    assert {"url:shop.example", "url:www.deals.example", "url:evil.example"} <= tokens
    assert "shape:many-urls" not in tokens


def test_shape_tokens_mark_many_urls_shouting_subjects_money_and_exclamations():
    urls = " ".join(f"http://site{i}.example" for i in range(4))
    spammy = tokens_of("YOU HAVE WON", f"Claim $1,000 now!!! {urls}", "x@y.example")
    roubles = tokens_of("Выигрыш", "Ваш приз 1 000 000 руб.", "")
    euros = tokens_of("Prize", "You won 250,000 EUR today", "")

    assert {
        "shape:many-urls",
        "shape:all-caps-subject",
        "shape:money",
        "shape:exclamations",
    } <= spammy
    assert "shape:money" in roubles
    assert "shape:money" in euros


def test_ordinary_support_mail_has_no_shape_tokens():
    tokens = tokens_of(
        "RE: VPN", "Invoice 2024-117 is wrong, page 3 of 5. See http://acme.example", ""
    )

    assert not {token for token in tokens if token.startswith("shape:")}


def test_token_count_is_capped_but_subject_sender_and_shapes_survive():
    body = " ".join(f"word{i}" for i in range(5000))

    tokens = tokens_of("URGENT PRIZE CLAIM", body, "a@b.example")

    assert len(tokens) == MAX_TOKENS_PER_MESSAGE
    assert {"s:urgent", "from:b.example", "shape:all-caps-subject", "word0"} <= tokens
    assert "word4999" not in tokens


def test_long_domains_and_hosts_are_truncated_to_the_column_length():
    long_host = "a" * 30 + "." + "b" * 30 + "." + "c" * 30 + ".example"

    tokens = tokens_of("", f"http://{long_host}/", f"x@{long_host}")

    assert f"from:{long_host}"[:64] in tokens
    assert f"url:{long_host}"[:64] in tokens
    assert max(len(token) for token in tokens) == 64


def test_huge_mail_is_tokenized_from_its_beginning_only():
    digits = "1" * 300_000  # a long digit run must not make the money search quadratic

    tokens = tokens_of("", f"{digits} hello", "")

    assert "hello" not in tokens
    assert "shape:money" not in tokens


# --- scoring -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("spam", "ham"), [(9, 30), (30, 9), (0, 0)])
def test_score_is_unknown_until_enough_spam_and_good_mail_were_learned(spam, ham):
    train(SPAM[:spam], HAM[:ham])

    score = spam_score(tokens=tokens_of(*SPAM[0]))

    assert score is None
    assert is_spam(score) is False


@pytest.mark.django_db
def test_score_is_known_once_ten_of_each_were_learned():
    train(SPAM[:MIN_LEARNED_PER_KIND], HAM[:MIN_LEARNED_PER_KIND])

    assert spam_score(tokens=tokens_of(*SPAM[0])) is not None


# Mail the filter has not been trained on: same kinds of spam and support requests, new words.
NEW_SPAM = mails(
    """
x@pills.example | Discount pills
Order cheap viagra online without prescription, best price http://rx-pharmacy.example

x@prize.example | YOU WON THE LOTTERY
Congratulations winner! Claim your lottery prize of $750,000, send your bank details!!!

x@coin.example | Bitcoin profit
Invest in crypto today, our bot doubles your bitcoin, guaranteed profit
http://crypto-profit.example

x@apteka.example | Скидки в аптеке
Виагра и сиалис без рецепта со скидкой, закажите сейчас http://apteka-deshevo.example

x@loto.example | Вы выиграли
Поздравляем, вы победитель лотереи! Для получения приза оплатите комиссию 3 000 руб
"""
)
NEW_HAM = mails(
    """
zoe@acme.example | Printer jammed
Hi, the printer in the accounting office has a paper jam again. Could you take a look? Thanks

max@newco.example | Reset my password
Hello, I cannot log in, my password expired. Could you reset it please?

ann@newco.example | Wrong invoice
Hello, the invoice for April shows the wrong company address. Please send a corrected invoice

oleg@romashka.example | Принтер не печатает
Добрый день, принтер в бухгалтерии опять не печатает счета. Посмотрите, пожалуйста

petr@newco.example | Забыл пароль
Здравствуйте, не могу войти, забыл пароль от учетной записи. Сбросьте, пожалуйста
"""
)


@pytest.mark.django_db
@pytest.mark.parametrize("message", NEW_SPAM, ids=[subject for subject, _, _ in NEW_SPAM])
def test_trained_filter_scores_new_spam_above_the_threshold(message):
    train()

    score = spam_score(tokens=tokens_of(*message))

    assert score > SPAM_THRESHOLD
    assert is_spam(score)


@pytest.mark.django_db
@pytest.mark.parametrize("message", NEW_HAM, ids=[subject for subject, _, _ in NEW_HAM])
def test_trained_filter_scores_new_support_mail_below_the_threshold(message):
    train()

    score = spam_score(tokens=tokens_of(*message))

    assert score < 0.5
    assert not is_spam(score)


@pytest.mark.django_db
def test_mail_of_only_unseen_words_is_neither_spam_nor_good():
    train()

    assert spam_score(tokens={"zzzunseen", "qqqnever"}) == 0.5
    assert spam_score(tokens=set()) == 0.5


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (None, False),
        (0.0, False),
        (SPAM_THRESHOLD - 0.01, False),
        (SPAM_THRESHOLD, True),
        (1.0, True),
    ],
)
def test_is_spam_compares_with_the_threshold_and_never_flags_unknown(score, expected):
    assert is_spam(score) is expected


# --- learning and corrections --------------------------------------------------------------------


@pytest.mark.django_db
def test_learning_counts_each_token_once_per_mail_and_the_mail_in_the_corpus():
    spam_learn(tokens={"viagra", "cheap"}, is_spam=True)
    spam_learn(tokens={"viagra", "printer"}, is_spam=False)
    spam_learn(tokens={"viagra"}, is_spam=True)

    assert counts("viagra") == (2, 1)
    assert counts("cheap") == (1, 0)
    assert counts("printer") == (0, 1)
    assert spam_corpus_size() == (2, 1)


@pytest.mark.django_db
def test_corpus_is_empty_before_anything_was_learned():
    assert spam_corpus_size() == (0, 0)


@pytest.mark.django_db
def test_marking_spam_then_not_spam_leaves_counts_as_if_learned_once_as_good_mail():
    tokens = tokens_of(*HAM[0])
    spam_learn(tokens=set(list(tokens)[:3]), is_spam=False)  # some of its words seen before

    spam_learn(tokens=tokens, is_spam=True)
    spam_learn(tokens=tokens, is_spam=False, unlearn_previous=True)

    for token in tokens:
        expected_ham = 2 if token in set(list(tokens)[:3]) else 1
        assert counts(token) == (0, expected_ham)
    assert spam_corpus_size() == (0, 2)


@pytest.mark.django_db
def test_marking_not_spam_then_spam_again_ends_as_spam():
    spam_learn(tokens={"lottery", "prize"}, is_spam=False)
    spam_learn(tokens={"lottery", "prize"}, is_spam=True, unlearn_previous=True)

    assert counts("lottery") == (1, 0)
    assert spam_corpus_size() == (1, 0)


@pytest.mark.django_db
def test_unlearning_what_was_never_learned_never_makes_counts_negative():
    spam_learn(tokens={"fresh"}, is_spam=False, unlearn_previous=True)
    spam_learn(tokens={"fresh"}, is_spam=True, unlearn_previous=True)
    spam_learn(tokens={"fresh"}, is_spam=True, unlearn_previous=True)

    assert counts("fresh") == (2, 0)
    assert spam_corpus_size() == (2, 0)


@pytest.mark.django_db
def test_learning_truncates_tokens_longer_than_the_column():
    spam_learn(tokens={"x" * 100}, is_spam=True)

    assert counts("x" * 64) == (1, 0)


def run_in_threads(count, work):
    """Run work(index) in `count` threads that start together, each on its own connection."""
    barrier = threading.Barrier(count)
    errors = []

    def run(index):
        try:
            barrier.wait(timeout=10)
            work(index)
        except Exception as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_learning_from_eight_threads_at_once_counts_exactly():
    tokens = tokens_of(*SPAM[0]) | {"shared", "zebra", "alpha"}

    def learn(index):
        for _ in range(5):
            spam_learn(tokens=tokens, is_spam=index % 2 == 0)
            spam_learn(tokens={"shared", f"own{index}"}, is_spam=True)

    run_in_threads(8, learn)

    assert counts("viagra") == (20, 20)
    assert counts("shared") == (60, 20)
    assert all(counts(f"own{index}") == (5, 0) for index in range(8))
    assert spam_corpus_size() == (60, 20)


@pytest.mark.django_db(transaction=True)
def test_corrections_from_eight_threads_at_once_count_exactly():
    tokens = {"lottery", "prize", "winner"}
    for _ in range(8):
        spam_learn(tokens=tokens, is_spam=False)

    run_in_threads(8, lambda index: spam_learn(tokens=tokens, is_spam=True, unlearn_previous=True))

    assert counts("prize") == (8, 0)
    assert spam_corpus_size() == (8, 0)


# --- cost ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 50, MAX_TOKENS_PER_MESSAGE])
def test_scoring_takes_two_queries_whatever_the_number_of_tokens(
    size, django_assert_max_num_queries
):
    train()
    tokens = {f"token{i}" for i in range(size)} | {"viagra"}

    with django_assert_max_num_queries(2):
        spam_score(tokens=tokens)


@pytest.mark.django_db
def test_scoring_an_untrained_filter_takes_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert spam_score(tokens={"viagra"}) is None


@pytest.mark.django_db
def test_scoring_a_five_thousand_word_mail_reads_the_tokens_in_one_query():
    train()
    text = " ".join(f"word{i}" for i in range(5000))
    spam_learn(tokens={f"word{i}" for i in range(5000)}, is_spam=False)

    with CaptureQueriesContext(connection) as context:
        from_mail = spam_score(tokens=tokens_of("Hello", text, "a@b.example"))
        from_all_words = spam_score(tokens={f"word{i}" for i in range(5000)})

    token_queries = [q for q in context.captured_queries if "tickets_spamtoken" in q["sql"]]
    assert len(context.captured_queries) == 4
    assert len(token_queries) == 2  # one per score
    assert 0 <= from_mail <= 1
    assert 0 <= from_all_words <= 1


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, MAX_TOKENS_PER_MESSAGE])
def test_learning_takes_the_same_few_queries_whatever_the_number_of_tokens(size):
    tokens = {f"token{i}" for i in range(size)}

    with CaptureQueriesContext(connection) as context:
        spam_learn(tokens=tokens, is_spam=True, unlearn_previous=True)

    statements = [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 4  # insert tokens, update tokens, insert corpus, update corpus
