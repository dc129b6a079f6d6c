"""The customer's rating pages (tickets/views/satisfaction.py): a survey link opens its mark,
chosen, and records nothing until the page sends it; the card on the ticket pages; the survey
opt-out; bad input; query counts."""

import pytest
from django.urls import reverse

from tests.test_bad_input import BAD_IDS
from tests.tickets.satisfaction_support import (
    DID_NOT_HELP,
    EXCELLENT,
    NOT_COMPLETE,
    SATISFIES,
    close,
    closed,
    marks,
    rate_url,
    rating_events,
)
from tickets.models import SatisfactionMark, SatisfactionRating
from tickets.satisfaction import rating_record

pytestmark = pytest.mark.django_db
__all__ = ["closed", "marks"]  # fixtures

HTMX = {"HX-Request": "true"}
RECORDED = "Thank you — your rating is recorded."


def page(response) -> str:
    return response.content.decode()


def checked(html: str, mark) -> bool:
    return f'value="{mark.pk}" checked' in html


# A link from the survey mail


def test_a_survey_link_opens_the_page_with_its_mark_chosen_and_records_nothing(
    client, closed, marks
):
    response = client.get(rate_url(closed, marks[SATISFIES]))

    html = page(response)
    assert response.status_code == 200
    assert checked(html, marks[SATISFIES])
    assert "data-auto-submit" in html
    assert html.count('type="radio"') == 4
    for label in (EXCELLENT, SATISFIES, NOT_COMPLETE, DID_NOT_HELP):
        assert label in html
    assert not SatisfactionRating.objects.exists()
    assert "no-store" in response["Cache-Control"]


def test_the_page_sends_the_mark_and_thanks_the_customer(client, closed, marks):
    response = client.post(rate_url(closed), {"mark": marks[SATISFIES].pk, "comment": ""})

    assert response.status_code == 302
    assert response["Location"] == f"{rate_url(closed)}?rated=1"
    rating = SatisfactionRating.objects.get(ticket=closed)
    assert rating.mark_id == marks[SATISFIES].pk
    html = page(client.get(response["Location"]))
    assert RECORDED in html
    assert "Your rating:" in html
    assert "Save changes" in html
    assert "data-auto-submit" not in html


def test_the_thanks_are_only_for_a_case_that_has_a_rating(client, closed):
    assert RECORDED not in page(client.get(f"{rate_url(closed)}?rated=1"))


def test_the_htmx_answer_is_the_card_alone_and_the_address_loses_the_mark(client, closed, marks):
    response = client.post(
        rate_url(closed),
        {"mark": marks[EXCELLENT].pk, "comment": ""},
        headers={
            **HTMX,
            "HX-Current-URL": f"http://testserver{rate_url(closed, marks[EXCELLENT])}",
        },
    )

    html = page(response)
    assert response.status_code == 200
    assert html.lstrip().startswith(
        '<section class="card shadow-sm mb-4 rating-card" id="rating-card"'
    )
    assert "<html" not in html
    assert RECORDED in html
    assert response["HX-Replace-Url"] == rate_url(closed)


def test_the_htmx_answer_on_the_ticket_page_leaves_its_address(client, closed, marks):
    ticket_page = reverse("tickets:ticket_by_token", args=[closed.access_token])
    response = client.post(
        rate_url(closed),
        {"mark": marks[EXCELLENT].pk, "return_to": "ticket"},
        headers={**HTMX, "HX-Current-URL": f"http://testserver{ticket_page}"},
    )

    assert response.status_code == 200
    assert "HX-Replace-Url" not in response


def test_a_second_link_changes_the_rating_and_never_adds_one(client, closed, marks):
    client.post(rate_url(closed), {"mark": marks[EXCELLENT].pk})

    html = page(client.get(rate_url(closed, marks[NOT_COMPLETE])))
    assert checked(html, marks[NOT_COMPLETE])
    assert "data-auto-submit" in html
    client.post(rate_url(closed), {"mark": marks[NOT_COMPLETE].pk, "comment": ""})

    assert SatisfactionRating.objects.filter(ticket=closed).count() == 1
    assert SatisfactionRating.objects.get(ticket=closed).mark_id == marks[NOT_COMPLETE].pk


def test_the_same_link_again_only_shows_the_rating(client, closed, marks):
    client.post(rate_url(closed), {"mark": marks[EXCELLENT].pk})

    html = page(client.get(rate_url(closed, marks[EXCELLENT])))

    assert checked(html, marks[EXCELLENT])
    assert "data-auto-submit" not in html
    assert len(rating_events(closed)) == 1


def test_a_comment_is_added_on_the_same_page(client, closed, marks):
    client.post(rate_url(closed), {"mark": marks[NOT_COMPLETE].pk})

    client.post(rate_url(closed), {"mark": marks[NOT_COMPLETE].pk, "comment": "Step 3 failed."})

    assert SatisfactionRating.objects.get(ticket=closed).comment == "Step 3 failed."
    html = page(client.get(rate_url(closed)))
    assert "Step 3 failed." in html
    assert "You can change your answer or your comment until" in html


def test_the_survey_link_cannot_rate_another_case(client, closed, marks, submit, tech):
    other = close(submit(email="other@example.org", name="Otto Other"), tech)

    client.post(rate_url(closed), {"mark": marks[DID_NOT_HELP].pk, "ticket": other.pk})

    assert SatisfactionRating.objects.get().ticket_id == closed.pk
    assert not SatisfactionRating.objects.filter(ticket=other).exists()
    assert rating_events(other) == []


def test_after_the_window_the_page_shows_the_rating_as_final(client, closed, marks, settings):
    settings.SATISFACTION_CHANGE_DAYS = 0
    rating_record(ticket=closed, mark=marks[SATISFIES])

    html = page(client.get(rate_url(closed, marks[EXCELLENT])))
    response = client.post(rate_url(closed), {"mark": marks[EXCELLENT].pk})

    assert "It can no longer be changed." in html
    assert "data-auto-submit" not in html
    assert '<form method="post" action="' + rate_url(closed) not in html
    assert response.status_code == 400
    assert "It can no longer be changed." in page(response)
    assert SatisfactionRating.objects.get().mark_id == marks[SATISFIES].pk


def test_an_open_case_says_it_can_be_rated_once_closed(client, marks, submit):
    ticket = submit()

    html = page(client.get(rate_url(ticket, marks[EXCELLENT])))
    response = client.post(rate_url(ticket), {"mark": marks[EXCELLENT].pk})

    assert "Once it is closed, you can tell us here" in html
    assert "data-auto-submit" not in html
    assert response.status_code == 400
    assert "Once it is closed, you can tell us here" in page(response)
    assert not SatisfactionRating.objects.exists()


# Bad input


@pytest.mark.parametrize("value", BAD_IDS)
def test_a_link_with_a_bad_mark_is_404(client, closed, value):
    response = client.get(rate_url(closed), {"mark": value})

    assert response.status_code in (400, 404)  # a NUL byte is refused before the view
    assert not SatisfactionRating.objects.exists()


def test_a_link_with_an_unknown_or_retired_mark_is_404(client, closed, marks):
    SatisfactionMark.objects.filter(pk=marks[DID_NOT_HELP].pk).update(is_active=False)

    assert client.get(rate_url(closed), {"mark": "987654"}).status_code == 404
    assert client.get(rate_url(closed, marks[DID_NOT_HELP])).status_code == 404


@pytest.mark.parametrize("token", ["x" * 43, "short", "%00" * 43, "a" * 5000])
def test_a_bad_token_is_404(client, marks, token):
    assert client.get(f"/support/t/{token}/rate/").status_code in (400, 404)
    assert client.post(f"/support/t/{token}/rate/", {"mark": "1"}).status_code in (400, 404)
    assert client.get(f"/support/t/{token}/surveys/").status_code in (400, 404)


@pytest.mark.parametrize(
    "data",
    [
        {"mark": "abc"},
        {"mark": "1\x00"},
        {"mark": "99999999999999999999"},
        {"mark": "9" * 5000},
        {"mark": ""},
        {},
        {"mark": "MARK", "comment": "bad\x00byte"},
        {"mark": "MARK", "comment": "x" * 4001},
    ],
)
def test_a_bad_post_says_what_is_wrong_and_writes_nothing(client, closed, marks, data):
    data = {key: marks[SATISFIES].pk if value == "MARK" else value for key, value in data.items()}

    response = client.post(rate_url(closed), data)

    assert response.status_code == 400
    assert "invalid-feedback" in page(response)
    assert not SatisfactionRating.objects.exists()
    assert rating_events(closed) == []


def test_a_retired_mark_posted_is_refused(client, closed, marks):
    SatisfactionMark.objects.filter(pk=marks[EXCELLENT].pk).update(is_active=False)

    response = client.post(rate_url(closed), {"mark": marks[EXCELLENT].pk})

    assert response.status_code == 400
    assert not SatisfactionRating.objects.exists()


# Query counts


@pytest.mark.parametrize("extra_marks", [0, 8])
def test_the_rating_page_queries_do_not_grow_with_marks_or_ratings(
    client, closed, marks, submit, tech, extra_marks, django_assert_num_queries
):
    SatisfactionMark.objects.bulk_create(
        SatisfactionMark(label=f"Mark {index}", score=0, position=10 + index)
        for index in range(extra_marks)
    )
    for index in range(extra_marks):
        rating_record(
            ticket=close(submit(email=f"c{index}@example.org"), tech), mark=marks[EXCELLENT]
        )
    rating_record(ticket=closed, mark=marks[SATISFIES], comment="Fine")

    # The ticket by its token, its rating, the marks, the spam verdict.
    with django_assert_num_queries(4):
        response = client.get(rate_url(closed, marks[EXCELLENT]))

    assert response.status_code == 200


def test_the_secret_link_page_of_an_open_case_asks_only_for_its_rating(
    client, submit, marks, django_assert_max_num_queries
):
    ticket = submit()
    url = reverse("tickets:ticket_by_token", args=[ticket.access_token])
    client.get(url)

    with django_assert_max_num_queries(6):  # ticket, thread, attachments, rating, session
        response = client.get(url)

    assert 'data-testid="rating-card"' not in page(response)


# On the ticket pages


def test_the_secret_link_page_of_a_closed_case_offers_the_rating(client, closed, marks):
    ticket_page = reverse("tickets:ticket_by_token", args=[closed.access_token])

    html = page(client.get(ticket_page))

    assert 'data-testid="rating-card"' in html
    assert f'action="{rate_url(closed)}"' in html
    assert 'name="return_to" value="ticket"' in html
    assert "data-auto-submit" not in html
    assert f"/support/t/{closed.access_token}/surveys/" in html


def test_rating_from_the_ticket_page_without_javascript_comes_back_to_it(client, closed, marks):
    ticket_page = reverse("tickets:ticket_by_token", args=[closed.access_token])

    response = client.post(
        rate_url(closed), {"mark": marks[EXCELLENT].pk, "return_to": "ticket"}, follow=True
    )

    assert response.redirect_chain == [(f"{ticket_page}?rated=1", 302)]
    html = page(response)
    assert RECORDED in html
    assert "Customer rated" not in html  # the thread's line is for staff


def test_the_customer_area_ticket_page_offers_the_rating_and_records_who_rated(
    client, customer_user, customer_with_account, marks, submit, tech
):
    ticket = close(submit(email=customer_user.email, user=customer_user), tech)
    client.force_login(customer_user)
    my_page = reverse("tickets:my_ticket", args=[ticket.number])
    my_rate = reverse("tickets:my_ticket_rate", args=[ticket.number])

    html = page(client.get(my_page))
    response = client.post(my_rate, {"mark": marks[SATISFIES].pk, "return_to": "ticket"})

    assert f'action="{my_rate}"' in html
    assert "/surveys/" not in html
    assert response["Location"] == f"{my_page}?rated=1"
    assert rating_events(ticket)[0].author_id == customer_user.pk
    assert client.get(f"{my_rate}?mark={marks[EXCELLENT].pk}").status_code == 200


def test_another_customer_cannot_rate_in_the_customer_area(
    client, customer_with_account, marks, submit, tech
):
    ticket = close(submit(), tech)  # Vera's, not the signed-in customer's
    client.force_login(customer_with_account.user)

    response = client.post(
        reverse("tickets:my_ticket_rate", args=[ticket.number]), {"mark": marks[EXCELLENT].pk}
    )

    assert response.status_code == 404
    assert not SatisfactionRating.objects.exists()


def test_an_open_case_page_has_no_rating_card(client, submit, marks):
    ticket = submit()

    html = page(client.get(reverse("tickets:ticket_by_token", args=[ticket.access_token])))

    assert 'data-testid="rating-card"' not in html


# The survey opt-out


def test_the_opt_out_page_changes_nothing_until_its_button(client, closed):
    url = reverse("tickets:survey_opt_out", args=[closed.access_token])

    html = page(client.get(url))
    closed.customer.refresh_from_db()
    assert not closed.customer.survey_opt_out
    assert "Do not send me satisfaction surveys" in html

    response = client.post(url, {"surveys": "off"}, follow=True)

    closed.customer.refresh_from_db()
    assert closed.customer.survey_opt_out
    assert "we will not send you satisfaction surveys" in page(response)
    assert "Send me satisfaction surveys again" in page(response)

    client.post(url, {"surveys": "on"})
    closed.customer.refresh_from_db()
    assert not closed.customer.survey_opt_out


@pytest.mark.parametrize("value", ["", "maybe", "off\x00", "x" * 5000])
def test_a_bad_opt_out_post_is_400_and_changes_nothing(client, closed, value):
    response = client.post(
        reverse("tickets:survey_opt_out", args=[closed.access_token]), {"surveys": value}
    )

    assert response.status_code == 400
    closed.customer.refresh_from_db()
    assert not closed.customer.survey_opt_out


# Staff


def test_the_desk_ticket_page_shows_the_rating_in_its_side_panel(client, closed, marks, tech):
    rating_record(ticket=closed, mark=marks[NOT_COMPLETE], comment="Half of it worked.")
    client.force_login(tech)

    html = page(client.get(reverse("tickets:desk_ticket", args=[closed.number])))

    assert 'data-testid="satisfaction-panel"' in html
    assert "Not complete enough" in html
    assert "Half of it worked." in html
    assert "poor rating" in html
    assert "Customer rated: Not complete enough" in html  # the thread's line


def test_the_desk_ticket_page_of_an_unrated_closed_case_says_so(client, closed, tech):
    client.force_login(tech)

    html = page(client.get(reverse("tickets:desk_ticket", args=[closed.number])))

    assert "Not rated yet." in html
