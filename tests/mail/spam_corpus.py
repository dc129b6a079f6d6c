"""Mails to train the Bayesian spam filter on: spam and support requests, in English and
Russian, as they arrive at a support address."""

# Russian mail is part of the point here, so Cyrillic letters that look Latin are intended.

from tickets.mail.spam import spam_learn, spam_tokens


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
