"""A tech's preferences page: the internal-note default and the email signature."""

import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts import signatures
from accounts.models import User
from accounts.preferences import tech_preferences_update
from accounts.signatures import signature_image_process
from tests.accounts.test_signatures import jpeg_bytes, nosy_exif
from tests.factories import TechFactory

pytestmark = pytest.mark.django_db

PREFERENCES = reverse("accounts:preferences")
SIGNATURE_IMAGE = reverse("accounts:signature_image")
STORED_NAME = re.compile(r"signatures/[0-9a-f]{32}\.jpg")


def jpeg_upload(name="signature.jpg", **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**options), content_type="image/jpeg")


def png_named_jpg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(buffer, "PNG")
    return SimpleUploadedFile("logo.jpg", buffer.getvalue(), content_type="image/jpeg")


def truncated_jpeg() -> SimpleUploadedFile:
    whole = jpeg_bytes(size=(90, 90), noisy=True)
    return SimpleUploadedFile("logo.jpg", whole[: len(whole) // 2], content_type="image/jpeg")


def stored_signatures(media_root) -> set[str]:
    folder = media_root / "signatures"
    return {f"signatures/{path.name}" for path in folder.iterdir()} if folder.exists() else set()


def preferences_set(user, *, text="", image: bytes | None = None, note=False) -> User:
    return tech_preferences_update(
        user=user,
        reply_as_note_by_default=note,
        signature_text=text,
        signature_image=signature_image_process(
            SimpleUploadedFile("s.jpg", image, content_type="image/jpeg")
        )
        if image
        else None,
        remove_image=False,
    )


# --- Who may come ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (PREFERENCES, SIGNATURE_IMAGE):
        response = client.get(url)

        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:sign_in"))


def test_customers_get_403_on_the_page_and_the_image(client, customer_user):
    client.force_login(customer_user)

    assert client.get(PREFERENCES).status_code == 403
    assert client.post(PREFERENCES, {"signature_text": "Hi"}).status_code == 403
    assert client.get(SIGNATURE_IMAGE).status_code == 403
    customer_user.refresh_from_db()
    assert customer_user.signature_text == ""


def test_customers_cannot_have_preferences_through_the_service(customer_user):
    with pytest.raises(PermissionDenied):
        preferences_set(customer_user, text="Carla", note=True)

    customer_user.refresh_from_db()
    assert customer_user.signature_text == ""
    assert not customer_user.reply_as_note_by_default


def test_techs_reach_the_page_from_their_name_and_customers_do_not(client, tech, customer_user):
    client.force_login(tech)
    html = client.get(reverse("tickets:desk")).content.decode()
    assert re.search(
        rf'<a class="nav-link[^"]*" href="{PREFERENCES}" data-testid="signed-in-as"', html
    )

    client.force_login(customer_user)
    html = client.get(reverse("tickets:my_tickets")).content.decode()
    assert f'href="{PREFERENCES}"' not in html
    assert '<span class="navbar-text me-3" data-testid="signed-in-as">' in html


# --- The page -------------------------------------------------------------------------------


def test_page_shows_labelled_fields_and_an_empty_preview(client, tech):
    client.force_login(tech)

    response = client.get(PREFERENCES)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert '<label class="form-check-label" for="id_reply_as_note_by_default">' in html
    assert '<label class="form-label" for="id_signature_text">Signature text</label>' in html
    assert '<label class="form-label" for="id_signature_image">Signature image</label>' in html
    assert re.search(r'<input type="file" name="signature_image"[^>]*accept="image/jpeg"', html)
    assert 'name="remove_image"' not in html  # nothing to remove yet
    assert "You have no signature yet" in html


def test_page_previews_the_saved_signature_and_offers_to_remove_the_image(client, tech):
    tech = preferences_set(tech, text="Tom <Tech>\nSupport", image=jpeg_bytes(), note=True)
    client.force_login(tech)

    html = client.get(PREFERENCES).content.decode()

    assert 'name="remove_image"' in html
    assert re.search(r'id="id_reply_as_note_by_default"\s+checked', html)
    preview = html[html.index('data-testid="signature-preview"') :]
    assert "<p>Tom &lt;Tech&gt;<br>Support</p>" in preview
    assert f'<img src="{SIGNATURE_IMAGE}?v=' in preview


def test_saving_stores_the_flag_text_and_a_clean_image_under_a_random_name(
    client, tech, media_root
):
    client.force_login(tech)

    response = client.post(
        PREFERENCES,
        {
            "reply_as_note_by_default": "on",
            "signature_text": "Tom Tech\nTechnical support",
            "signature_image": jpeg_upload(name="holiday photo.jpg", exif=nosy_exif()),
        },
        follow=True,
    )

    assert response.redirect_chain == [(PREFERENCES, 302)]
    assert "Your preferences are saved." in response.content.decode()
    tech.refresh_from_db()
    assert tech.reply_as_note_by_default
    assert tech.signature_text == "Tom Tech\nTechnical support"
    assert STORED_NAME.fullmatch(tech.signature_image.name)
    assert stored_signatures(media_root) == {tech.signature_image.name}
    stored = Image.open(media_root / tech.signature_image.name)
    assert stored.format == "JPEG"
    assert not stored.getexif()


def test_the_internal_note_default_can_be_turned_off_again(client, tech):
    tech = preferences_set(tech, note=True)
    client.force_login(tech)

    client.post(PREFERENCES, {"signature_text": ""})

    tech.refresh_from_db()
    assert not tech.reply_as_note_by_default


def test_saving_the_text_alone_keeps_the_image(client, tech, media_root):
    tech = preferences_set(tech, text="Old", image=jpeg_bytes())
    image_name = tech.signature_image.name
    client.force_login(tech)

    client.post(PREFERENCES, {"signature_text": "New"})

    tech.refresh_from_db()
    assert tech.signature_text == "New"
    assert tech.signature_image.name == image_name
    assert stored_signatures(media_root) == {image_name}


def test_replacing_the_image_deletes_the_old_file_only_after_commit(
    client, tech, media_root, django_capture_on_commit_callbacks
):
    tech = preferences_set(tech, image=jpeg_bytes())
    old_name = tech.signature_image.name
    client.force_login(tech)

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(PREFERENCES, {"signature_text": "", "signature_image": jpeg_upload()})
        tech.refresh_from_db()
        assert tech.signature_image.name != old_name
        assert stored_signatures(media_root) == {old_name, tech.signature_image.name}
    for callback in callbacks:
        callback()

    assert stored_signatures(media_root) == {tech.signature_image.name}


def test_removing_the_image_clears_it_and_deletes_the_file(
    client, tech, media_root, django_capture_on_commit_callbacks
):
    tech = preferences_set(tech, text="Tom", image=jpeg_bytes())
    client.force_login(tech)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PREFERENCES, {"signature_text": "Tom", "remove_image": "on"})

    assert response.status_code == 302
    tech.refresh_from_db()
    assert not tech.signature_image
    assert tech.signature_text == "Tom"
    assert stored_signatures(media_root) == set()


def test_a_new_image_wins_over_remove(tech, media_root, django_capture_on_commit_callbacks):
    tech = preferences_set(tech, image=jpeg_bytes())
    old_name = tech.signature_image.name

    with django_capture_on_commit_callbacks(execute=True):
        tech = tech_preferences_update(
            user=tech,
            reply_as_note_by_default=False,
            signature_text="",
            signature_image=signature_image_process(jpeg_upload()),
            remove_image=True,
        )

    assert STORED_NAME.fullmatch(tech.signature_image.name)
    assert stored_signatures(media_root) == {tech.signature_image.name} != {old_name}


def test_a_failed_save_leaves_no_new_file_and_keeps_the_old_one(
    tech, media_root, monkeypatch, django_capture_on_commit_callbacks
):
    tech = preferences_set(tech, text="Old", image=jpeg_bytes())
    old_name = tech.signature_image.name

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(User, "save", broken_save)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
    ):
        tech_preferences_update(
            user=tech,
            reply_as_note_by_default=True,
            signature_text="New",
            signature_image=signature_image_process(jpeg_upload()),
            remove_image=False,
        )

    assert stored_signatures(media_root) == {old_name}
    tech.refresh_from_db()
    assert tech.signature_image.name == old_name
    assert tech.signature_text == "Old"


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        pytest.param(
            lambda: {"signature_image": png_named_jpg()},
            "signature_image",
            "The signature image must be a JPEG.",
            id="png-named-jpg",
        ),
        pytest.param(
            lambda: {"signature_image": truncated_jpeg()},
            "signature_image",
            "The signature image is damaged or incomplete.",
            id="truncated",
        ),
        pytest.param(
            lambda: {"signature_image": jpeg_upload(size=(100, 100))},
            "signature_image",
            "The signature image has too many pixels",
            id="too-many-pixels",
        ),
        pytest.param(
            lambda: {"signature_text": "x" * 2001},
            "signature_text",
            "Ensure this value has at most 2000 characters",
            id="text-too-long",
        ),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_changes_nothing(
    client, tech, media_root, monkeypatch, data, field, error
):
    monkeypatch.setattr(signatures, "SIGNATURE_MAX_PIXELS", 100 * 100 - 1)
    tech = preferences_set(tech, text="Kept", image=jpeg_bytes())
    old_name = tech.signature_image.name
    client.force_login(tech)

    response = client.post(
        PREFERENCES, {"reply_as_note_by_default": "on", "signature_text": "New", **data()}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'id="id_{field}_error1">{re.escape(error)}', html)
    assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', html)
    tech.refresh_from_db()
    assert tech.signature_text == "Kept"
    assert not tech.reply_as_note_by_default
    assert tech.signature_image.name == old_name
    assert stored_signatures(media_root) == {old_name}


# --- The image behind the preview -------------------------------------------------------------


def test_signature_image_is_served_as_a_jpeg_that_is_not_sniffed(client, tech):
    tech = preferences_set(tech, image=jpeg_bytes())
    client.force_login(tech)

    response = client.get(SIGNATURE_IMAGE)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == tech.signature_image.read()


def test_signature_image_is_always_the_requesters_own(client, tech):
    other = preferences_set(TechFactory(), image=jpeg_bytes(size=(50, 50)))
    tech = preferences_set(tech, image=jpeg_bytes(size=(90, 30)))
    client.force_login(tech)

    response = client.get(SIGNATURE_IMAGE, {"v": other.signature_image.name, "id": other.pk})

    assert b"".join(response.streaming_content) == tech.signature_image.read()
    assert b"".join(response.streaming_content) != other.signature_image.read()


def test_signature_image_is_404_without_an_image(client, tech):
    preferences_set(TechFactory(), image=jpeg_bytes())
    client.force_login(tech)

    assert client.get(SIGNATURE_IMAGE).status_code == 404


def test_signature_image_lost_from_storage_is_404(client, tech, media_root):
    tech = preferences_set(tech, image=jpeg_bytes())
    (media_root / tech.signature_image.name).unlink()
    client.force_login(tech)

    assert client.get(SIGNATURE_IMAGE).status_code == 404


# --- Cost -------------------------------------------------------------------------------------


def test_preferences_page_queries_do_not_depend_on_the_signature_or_other_techs(
    client, tech, django_assert_num_queries
):
    client.force_login(tech)
    client.get(PREFERENCES)  # warm the session and the user's first activity write

    # session, user, the notification bell's unread count, the notification choices
    with django_assert_num_queries(4) as bare:
        client.get(PREFERENCES)
    preferences_set(tech, text="Tom", image=jpeg_bytes(), note=True)
    for _ in range(3):
        preferences_set(TechFactory(), text="Other", image=jpeg_bytes())
    with django_assert_num_queries(len(bare.captured_queries)):
        response = client.get(PREFERENCES)
    assert 'name="remove_image"' in response.content.decode()
