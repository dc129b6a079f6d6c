"""Issue 14: buttons and selects show a focus ring as visible as links' when reached with the
keyboard (Bootstrap's own is a faint glow the product stylesheet replaces)."""

import pytest

from tests.factories import PASSWORD, DepartmentFactory, MembershipFactory, TechFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RING = """el => {
    const style = getComputedStyle(el);
    return {
        tag: el.tagName,
        outlineStyle: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth),
        outlineColor: style.outlineColor,
        boxShadow: style.boxShadow,
    };
}"""


def tab_to(page, selector, presses=80):
    """Press Tab until the focused element matches `selector`; its ring as computed."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if focused.count() and focused.evaluate(f"el => el.matches({selector!r})"):
            # Bootstrap eases box-shadow in over .15 s: read the ring once it has settled.
            page.wait_for_timeout(500)
            return focused.evaluate(RING)
    raise AssertionError(f"Tab never reached {selector}")


def assert_ring(ring, link_ring):
    assert ring["outlineStyle"] != "none", ring
    assert ring["outlineWidth"] >= 2, ring
    # The same ring as a link's: the yellow band and the dark band around it.
    assert ring["outlineWidth"] == link_ring["outlineWidth"], (ring, link_ring)
    assert ring["outlineColor"] == link_ring["outlineColor"] == "rgb(255, 191, 71)", ring
    assert "rgb(11, 12, 12)" in ring["boxShadow"], ring


def test_buttons_and_selects_show_the_links_focus_ring(live_server, page, screenshot):
    tech = TechFactory(full_name="Tom Tech")
    MembershipFactory(user=tech, department=DepartmentFactory(name="Technical support"))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(tech.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/desk/")

    link_ring = tab_to(page, "a[href]:not(.btn):not(.skip-link)")
    assert link_ring["outlineStyle"] != "none" and link_ring["outlineWidth"] >= 2
    button_ring = tab_to(page, "button.btn")
    assert_ring(button_ring, link_ring)
    screenshot("focus-ring-on-a-button")
    select_ring = tab_to(page, "select")
    assert select_ring["tag"] == "SELECT"
    assert_ring(select_ring, link_ring)
    screenshot("focus-ring-on-a-select")
