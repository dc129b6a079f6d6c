"""Attachments: the form field that takes a message's files and shows every problem."""

from django import forms
from django.utils.datastructures import MultiValueDict

from tests.tickets.uploads import image_bytes, upload
from tickets.attachments import AttachmentsField

# --- The form field ---------------------------------------------------------------------------


class ReplyForm(forms.Form):
    attachments = AttachmentsField()


def bound_form(*files) -> ReplyForm:
    return ReplyForm(data={}, files=MultiValueDict({"attachments": list(files)}))


def test_form_field_cleans_to_inspected_uploads():
    form = bound_form(upload("a.txt", b"a"), upload("b.png", image_bytes("PNG"), "image/png"))

    assert form.is_valid(), form.errors
    assert [(i.original_name, i.is_image) for i in form.cleaned_data["attachments"]] == [
        ("a.txt", False),
        ("b.png", True),
    ]


def test_form_field_without_files_is_an_empty_list():
    form = ReplyForm(data={}, files=MultiValueDict())

    assert form.is_valid(), form.errors
    assert form.cleaned_data["attachments"] == []


def test_form_field_shows_every_problem(settings):
    settings.ATTACHMENT_MAX_FILES = 1
    form = bound_form(upload("cat.png", b"MZ\x90\x00", "image/png"), upload("empty.txt", b""))

    assert not form.is_valid()
    assert form.errors["attachments"] == [
        "You can attach at most 1 file; you chose 2.",
        "“cat.png” is not a valid image.",
        "“empty.txt” is empty.",
    ]


def test_form_field_can_be_required():
    class RequiredForm(forms.Form):
        attachments = AttachmentsField(required=True)

    form = RequiredForm(data={}, files=MultiValueDict())

    assert not form.is_valid()
    assert form.errors["attachments"] == ["This field is required."]


def test_form_field_renders_a_multiple_file_input_with_the_limits(settings):
    settings.ATTACHMENT_MAX_FILES = 3
    settings.ATTACHMENT_MAX_FILE_SIZE = 2 * 1024 * 1024
    settings.ATTACHMENT_MAX_MESSAGE_SIZE = 5 * 1024 * 1024

    field = ReplyForm()["attachments"]

    assert field.label == "Attachments"
    assert str(field.help_text).replace("\xa0", " ") == "Up to 3 files, 2.0 MB each, 5.0 MB in all."
    assert 'type="file"' in str(field) and "multiple" in str(field)
