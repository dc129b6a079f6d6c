"""Headers every page carries: Cache-Control private/no-store (no browser or proxy keeps a page
with people's mail in it) and a Content-Security-Policy that allows no inline script or style."""

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.models import User
from helpdesk.cache_control import NoStoreMiddleware
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("demo_data")
    ticket = Ticket.objects.filter(customer__user__email="customer@example.com").first()
    return ticket


def signed_in(client, email: str):
    client.force_login(User.objects.get(email=email))
    return client


def staff_pages(ticket: Ticket) -> dict[str, list[str]]:
    return {
        "tech@example.com": [
            "/desk/",
            "/desk/?queue=general",
            f"/desk/t/{ticket.number}/",
            f"/desk/t/{ticket.number}/presence/",
            "/desk/spam/",
            f"/desk/responses/picker/{ticket.number}/",
            "/desk/new/",
            "/accounts/preferences/",
        ],
        "manager@example.com": ["/manage/", "/reports/"],
        "admin@example.com": ["/admin/", "/admin/tickets/ticket/", f"/desk/t/{ticket.number}/"],
    }


def assert_not_stored(response):
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives, (response.request["PATH_INFO"], directives)


def test_every_staff_page_is_private_and_not_stored(client, demo):
    for email, paths in staff_pages(demo).items():
        signed_in(client, email)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (email, path, response.status_code)
            assert_not_stored(response)
            partial = client.get(path, headers={"HX-Request": "true"})
            assert_not_stored(partial)


def test_customer_pages_and_the_sign_in_page_are_not_stored_either(client, demo):
    assert_not_stored(client.get("/accounts/login/"))
    assert_not_stored(client.get("/support/"))
    signed_in(client, "customer@example.com")
    assert_not_stored(client.get("/my/"))
    assert_not_stored(client.get(f"/my/t/{demo.number}/"))


def test_a_view_that_sets_its_own_cache_control_keeps_it():
    middleware = NoStoreMiddleware(lambda request: own_policy())

    def own_policy():
        response = HttpResponse(b"thumbnail")
        response["Cache-Control"] = "private, max-age=3600"
        return response

    response = middleware(RequestFactory().get("/desk/t/1/files/1/"))

    assert response["Cache-Control"] == "private, max-age=3600"


def test_pages_carry_a_content_security_policy_without_inline_script_or_style(client, demo):
    signed_in(client, "tech@example.com")

    policy = client.get(f"/desk/t/{demo.number}/")["Content-Security-Policy"]

    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_no_template_has_inline_script_style_or_event_handlers():
    """The policy would block them; the browser test proves the pages, this names the file."""
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates"
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|\shx-on|\[document\.",
        re.IGNORECASE,
    )
    offenders = [
        f"{path.relative_to(templates)}: {match.group(0)}"
        for path in templates.rglob("*.html")
        for match in inline.finditer(path.read_text())
    ]
    assert offenders == []
