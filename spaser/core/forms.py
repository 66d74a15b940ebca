"""Shared form base: every Spaser form renders with the same accessible markup.

Label, hint, error, and an error summary at the top linking to the fields."""

from django import forms


class SpaserFormMixin:
    """`{{ form }}` renders an error summary linking to the fields, then each field with its label, its
    hint (aria-describedby) and its error. Pages put `novalidate` on <form> so that the server's French
    messages, not the browser's, are shown."""

    template_name = "core/forms/form.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:  # not its subclasses (multiple, radio…)
                field.widget.template_name = "core/widgets/select.html"


class SpaserForm(SpaserFormMixin, forms.Form):
    pass


class SpaserModelForm(SpaserFormMixin, forms.ModelForm):
    pass
