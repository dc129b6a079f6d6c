import pytest

from tickets.mail.html_sanitizing import (
    LINK_REL,
    MAX_HTML_LENGTH,
    MAX_TAGS,
    html_to_text,
    sanitize_html,
)

REL = f'rel="{LINK_REL}"'


def test_script_is_removed_with_its_content():
    assert sanitize_html("<p>Hi</p><script>alert('x')</script>") == "<p>Hi</p>"


def test_style_element_and_style_attribute_are_removed():
    html = '<style>body {display: none}</style><p style="position: fixed; top: 0">Hi</p>'

    assert sanitize_html(html) == "<p>Hi</p>"


@pytest.mark.parametrize(
    "html",
    [
        '<img src="cid:a@b" onerror="alert(1)">',
        '<p onclick="alert(1)">x</p>',
        '<body onload="alert(1)">x</body>',
        '<div ONMOUSEOVER="alert(1)">x</div>',
        '<svg onload="alert(1)"><circle r="1"/></svg>',
        '<a href="https://example.com" onfocus=alert(1) autofocus>x</a>',
    ],
)
def test_event_handlers_are_removed(html):
    assert "alert" not in sanitize_html(html)


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "&#106;avascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "/admin/tickets/",  # relative: would point at the helpdesk itself
        "//evil.example/",
        "cid:part1@example.com",
        "file:///etc/passwd",
    ],
)
def test_only_web_and_mail_links_keep_their_href(href):
    assert sanitize_html(f'<a href="{href}">click</a>') == f"<a {REL}>click</a>"


@pytest.mark.parametrize(
    "href", ["https://example.com/a?b=1&amp;c=2", "http://example.com/", "mailto:vera@example.com"]
)
def test_web_and_mail_links_are_kept_with_a_safe_rel(href):
    html = f'<a href="{href}" rel="opener" target="_self" title="t">x</a>'

    assert sanitize_html(html) == f'<a href="{href}" title="t" {REL}>x</a>'


def test_remote_images_lose_their_source_by_default():
    html = (
        '<img src="https://tracker.example/pixel.gif" width="1" height="1" alt="">'
        '<img src="HTTP://tracker.example/b.gif" srcset="https://tracker.example/c.gif 2x">'
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="pasted">'
    )

    assert sanitize_html(html) == '<img alt="" width="1" height="1"><img><img alt="pasted">'


def test_remote_images_are_kept_when_allowed():
    html = '<img src="https://example.com/logo.png" alt="logo"><img src="data:image/png;base64,AA">'

    assert sanitize_html(html, allow_remote_images=True) == (
        '<img src="https://example.com/logo.png" alt="logo"><img>'
    )


def test_inline_cid_images_are_kept():
    html = '<img src="cid:image001.png@01DA1234.5678" alt="logo" width="120" height="40">'

    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    "html",
    [
        '<iframe src="https://evil.example">fallback</iframe>',
        '<object data="https://evil.example/x.swf">fallback</object>',
        '<embed src="https://evil.example/x.swf">',
        '<form action="https://evil.example/login"><input name="password"></form>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        '<base href="https://evil.example/">',
        "<title>Phishing title</title>",
    ],
)
def test_active_and_page_level_content_is_removed(html):
    assert sanitize_html(html) == ""


def test_the_mail_layout_tags_are_kept():
    html = (
        "<h1>Title</h1><h6>Small</h6><p><b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u>"
        "<span>s</span></p><div>div</div><ul><li>one</li></ul><ol><li>two</li></ol>"
        "<blockquote>quote</blockquote><pre><code>code</code></pre><hr>"
        '<table><thead><tr><th colspan="2">h</th></tr></thead>'
        '<tbody><tr><td rowspan="1">a</td><td>b</td></tr></tbody></table>'
    )

    assert sanitize_html(html) == html


def test_class_id_and_comments_are_dropped():
    html = (
        '<!--[if mso]><xml>o:OfficeDocumentSettings</xml><![endif]--><p class="Mso" id="x">Hi</p>'
    )

    assert sanitize_html(html) == "<p>Hi</p>"


def test_text_that_looks_like_markup_is_escaped():
    assert sanitize_html("1 < 2 &amp; <notatag>3</notatag>") == "1 &lt; 2 &amp; 3"


def test_nul_characters_are_dropped():
    assert sanitize_html("<p>a\x00b</p>") == "<p>ab</p>"


# --- html_to_text ------------------------------------------------------------------------------


def test_text_keeps_paragraphs_and_line_breaks():
    html = "<div>Hello,</div><p>first line<br>second line</p><p>Regards,<br/>Vera</p>"

    assert html_to_text(html) == "Hello,\n\nfirst line\nsecond line\n\nRegards,\nVera"


def test_text_unescapes_entities_and_collapses_whitespace():
    assert html_to_text("<p>Fish &amp;\n   chips &lt;3 &#8212; &quot;ok&quot;</p>") == (
        'Fish & chips <3 — "ok"'
    )


def test_text_marks_quotes_like_a_plain_text_reply():
    html = "<p>Thanks!</p><blockquote><p>Did you restart it?</p><blockquote>Old</blockquote>"

    assert html_to_text(html) == "Thanks!\n\n> Did you restart it?\n\n> > Old"


def test_text_lists_get_markers():
    html = "<ul><li>paper</li><li>toner</li></ul><ol><li>open</li><li>close</li></ol>"

    assert html_to_text(html) == "- paper\n- toner\n1. open\n2. close"


def test_text_keeps_preformatted_text_as_is():
    assert html_to_text("<pre>a  b\n    c</pre>") == "a  b\n    c"


def test_text_shows_where_a_link_goes_when_its_text_does_not():
    html = (
        '<a href="https://example.com/reset">Reset your password</a> or '
        '<a href="https://example.com">https://example.com</a> or '
        '<a href="mailto:vera@example.com">vera@example.com</a>'
    )

    assert html_to_text(html) == (
        "Reset your password <https://example.com/reset> or https://example.com or vera@example.com"
    )


def test_text_ignores_scripts_styles_and_the_head_of_raw_html():
    html = (
        "<html><head><title>T</title><style>p{}</style></head>"
        "<body><script>var x = 1;</script><p>Body</p></body></html>"
    )

    assert html_to_text(html) == "Body"


def test_text_table_cells_are_separated():
    html = "<table><tr><td>Model</td><td>HP 1020</td></tr><tr><td>Error</td><td>E-042</td></tr>"

    assert html_to_text(html) == "Model  HP 1020\nError  E-042"


def test_text_of_nothing_is_empty():
    assert html_to_text("") == ""


# --- bounded work on hostile input -------------------------------------------------------------


def test_deep_nesting_is_bounded():
    # Whole, 40,000 nested blocks keep the parser busy for seconds, and the time grows with the
    # square of the depth.
    cleaned = sanitize_html("<blockquote>" * 40_000 + "deep text")

    assert cleaned.count("<blockquote>") == MAX_TAGS
    assert "deep text" in cleaned


def test_markup_past_the_tag_limit_keeps_its_text():
    html = "<b>x</b>" * MAX_TAGS + "<p>late <b>text</b></p>"  # a start and an end tag each

    cleaned = sanitize_html(html)

    assert cleaned.count("<b>") == MAX_TAGS // 2
    assert cleaned.split()[-2:] == ["late", "text"]


def test_html_is_cut_at_the_length_limit():
    cleaned = sanitize_html("<p>start</p>" + "&amp;" * MAX_HTML_LENGTH + "<p>end</p>")

    assert cleaned.startswith("<p>start</p>")
    assert "end" not in cleaned


def test_embedded_data_uris_do_not_count_towards_the_length_limit():
    image = '<img src="data:image/png;base64,' + "A" * MAX_HTML_LENGTH + '" alt="pasted">'

    assert sanitize_html(f"<p>before</p>{image}<p>after</p>") == (
        '<p>before</p><img alt="pasted"><p>after</p>'
    )
