"""The audit page's filters (GET): kind of object, user, date range, action. Every field is optional; an
invalid value is reported next to its field and that filter alone is ignored."""

from __future__ import annotations

from django import forms

from spaser.core.forms import SpaserForm

from .kinds import CHOICES
from .selectors import Filters

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date_field(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide, par exemple 31/12/2025."},
    )


class AuditFilterForm(SpaserForm):
    type = forms.ChoiceField(label="Type d'objet", required=False)
    utilisateur = forms.ChoiceField(label="Utilisateur", required=False)
    du = _date_field("Du", "Premier jour inclus.")
    au = _date_field("Au", "Dernier jour inclus.")
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[
            ("", "Toutes"),
            ("creation", "Création"),
            ("modification", "Modification"),
            ("suppression", "Suppression"),
        ],
    )

    def __init__(self, *args, users: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "Tous"), *CHOICES]
        self.fields["utilisateur"].choices = [("", "Tous"), *users]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end and start > end:
            self.add_error("au", "La date de fin (« Au ») doit suivre la date de début (« Du »).")
            cleaned.pop("au", None)
        return cleaned

    def filters(self) -> Filters:
        """The valid filters (an invalid field is dropped, its error shown)."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = self.cleaned_data
        return Filters(
            kinds=(data["type"],) if data.get("type") else (),
            user=data.get("utilisateur") or "",
            start=data.get("du"),
            end=data.get("au"),
            action=data.get("action") or "",
        )

    def active(self) -> bool:
        return self.filters() != Filters()
