"""Bootstrap classes and accessibility attributes on every form widget, set in one place."""

from django import forms


class StyledFormMixin:
    """Gives widgets Bootstrap's classes, marks invalid fields with aria-invalid, and ties help
    texts and errors to their field with aria-describedby (see includes/form_field.html)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name, errors in self.errors.items():
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            described = [f"id_{name}_error{index}" for index in range(1, len(errors) + 1)]
            if self.fields[name].help_text:
                described.insert(0, f"id_{name}_helptext")
            attrs["aria-describedby"] = " ".join(described)
