from __future__ import annotations

from django import forms

from spaser.core.forms import SpaserForm

from .models import Decision
from .questionnaire import ANSWERS, SECTIONS, UNKNOWN
from .selectors import DEFAULT_MONTHS, MONTH_CHOICES, STATES


class EuroField(forms.DecimalField):
    """An amount as the French type it: « 1 500,50 » (spaces, narrow or not, between thousands)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(" ", "").replace("\u00a0", "").replace("\u202f", "").replace("€", "")
        return super().to_python(value)


class RadarFilterForm(SpaserForm):
    mois = forms.TypedChoiceField(
        label="Échéance dans les",
        choices=[(m, f"{m} mois") for m in MONTH_CHOICES],
        coerce=int,
        required=False,
    )
    direction = forms.ChoiceField(label="Direction", required=False)
    etat = forms.ChoiceField(label="État", choices=[("", "Tous"), *STATES.items()], required=False)

    def __init__(self, data=None, *args, directions=(), **kwargs):
        if data is not None and not data.get("mois"):
            # The radar covers 12 months unless asked otherwise: the select must say so, filtered or not.
            data = data.copy()
            data["mois"] = str(DEFAULT_MONTHS)
        super().__init__(data, *args, **kwargs)
        self.fields["mois"].initial = DEFAULT_MONTHS
        self.fields["direction"].choices = [("", "Toutes")] + [(d.slug, str(d.name)) for d in directions]


class ReviewForm(SpaserForm):
    """The questionnaire (one yes/no/unknown answer and a comment per question), then the decision."""

    decision = forms.ChoiceField(label="Décision", choices=Decision.choices)
    justification = forms.CharField(
        label="Justification",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Obligatoire dès qu'une décision est prise.",
    )
    avoided_amount = EuroField(
        label="Montant évité estimé (€ HT)",
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        localize=True,
        error_messages={"min_value": "Montant évité : il ne peut pas être négatif."},
    )

    def __init__(self, *args, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        answers = answers or {}
        self.sections = []
        for section in SECTIONS:
            names = []
            for question in section.questions:
                current = answers.get(question.key, {})
                self.fields[f"{question.key}__answer"] = forms.ChoiceField(
                    label=question.label,
                    help_text=question.guidance,
                    choices=ANSWERS,
                    widget=forms.RadioSelect,
                    initial=current.get("answer", UNKNOWN),
                )
                self.fields[f"{question.key}__comment"] = forms.CharField(
                    label=f"Commentaire : {question.label[0].lower()}{question.label[1:]}",
                    required=False,
                    initial=current.get("comment", ""),
                )
                names.append((f"{question.key}__answer", f"{question.key}__comment"))
            self.sections.append((section, names))

    def bound_sections(self) -> list:
        """[(section, [(answer field, comment field), …]), …] for the template."""
        return [(section, [(self[a], self[c]) for a, c in names]) for section, names in self.sections]

    def answers(self) -> dict:
        result = {}
        for section in SECTIONS:
            for question in section.questions:
                result[question.key] = {
                    "answer": self.cleaned_data[f"{question.key}__answer"],
                    "comment": self.cleaned_data[f"{question.key}__comment"],
                }
        return result
