"""A mail's HTML on the ticket pages: a sandboxed frame whose document is served by its own URL
under the page (`<page>messages/<id>/html/`) with its own strict policy, and the block around
it (`<page>messages/<id>/body/`, an htmx partial) that offers the remote images.

The HTML was sanitised at intake (tickets/mail/html_sanitizing.py) and is cleaned again here;
the frame's policy is the second wall: no script of any origin, no form, no plugin, no request
anywhere but the helpdesk itself, so a tracking pixel learns nothing until the tech asks for
the remote images of that one message. Its inline images are the message's own files, served
by the page's access-checked file view."""

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse

from tickets.mail.html_sanitizing import html_for_frame
from tickets.models import Attachment, Message

# The frame may open links in a new tab (outside the sandbox) and read its own document's
# height for the page's script; it may not run script, submit forms or navigate the page.
FRAME_SANDBOX = "allow-same-origin allow-popups allow-popups-to-escape-sandbox"
REMOTE_PARAMETER = "remote"
# The full page names the one message whose remote images are shown (no JavaScript).
PAGE_PARAMETER = "remote_images"


def frame_policy(*, remote_images: bool) -> str:
    images = "'self' https: http:" if remote_images else "'self'"
    return "; ".join(
        [
            "default-src 'none'",
            f"img-src {images}",
            # The frame's own stylesheet, and the style attributes the sanitiser left (their
            # properties filtered, none holding a URL).
            "style-src 'self'",
            "style-src-attr 'unsafe-inline'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'self'",
            f"sandbox {FRAME_SANDBOX}",
        ]
    )


def remote_images_wanted(request) -> bool:
    return request.GET.get(REMOTE_PARAMETER) == "1"


def remote_images_message_id(request) -> int | None:
    """The message the full page shows with its remote images (`?remote_images=<id>`)."""
    value = request.GET.get(PAGE_PARAMETER, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def message_frame_response(request, *, message: Message, page_url: str) -> HttpResponse:
    """The frame's document: the message's HTML, its "cid:" images pointed at its files."""
    remote_images = remote_images_wanted(request)
    inline = Attachment.objects.filter(message=message, is_image=True).exclude(content_id="")
    urls = {a.content_id: f"{page_url}files/{a.pk}/" for a in inline.only("pk", "content_id")}
    frame = html_for_frame(message.body_html, inline_urls=urls, remote_images=remote_images)
    response = TemplateResponse(request, "tickets/message_frame.html", {"html": frame.html})
    response["Content-Security-Policy"] = frame_policy(remote_images=remote_images)
    response["X-Frame-Options"] = "SAMEORIGIN"
    # A remote image must not learn which ticket it was shown on.
    response["Referrer-Policy"] = "no-referrer"
    return response


def message_html_block(request, *, message: Message, page_url: str) -> HttpResponse:
    """The block with the frame, after the tech chose to show (or hide again) the remote
    images: its partial for htmx; without JavaScript, the page again, that message's remote
    images shown."""
    remote_images = remote_images_wanted(request)
    if not request.htmx:
        query = f"?{PAGE_PARAMETER}={message.pk}" if remote_images else ""
        return HttpResponseRedirect(f"{page_url}{query}#message-{message.pk}")
    context = {"message": message, "page_url": page_url, "remote_images": remote_images}
    return render(request, "includes/message_html.html", context)
