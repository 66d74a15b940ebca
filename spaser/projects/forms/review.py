"""The need review form: the questionnaire sections that apply to the project (one yes / no / unknown answer
and a comment per question, with the guidance text), then the outcome, its justification and the amount
avoided."""

from __future__ import annotations

from django import forms

from spaser.core.forms import SpaserForm
from spaser.renewals.forms import EuroField
from spaser.renewals.questionnaire import ANSWERS, UNKNOWN

from ..models import Outcome


class NeedReviewForm(SpaserForm):
    outcome = forms.ChoiceField(
        label="Issue de la revue",
        choices=Outcome.choices,
        help_text="« À décider » tant que la revue n'est pas conclue : le projet ne peut pas quitter la "
        "définition du besoin sans une issue décidée.",
    )
    justification = forms.CharField(
        label="Justification",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Obligatoire dès que l'issue est décidée.",
    )
    avoided_amount = EuroField(
        label="Montant évité estimé (€ HT)",
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        localize=True,
        help_text="Dépense évitée grâce à la revue (besoin réduit, mutualisé, loué, réemployé, réparé ou "
        "supprimé).",
        error_messages={"min_value": "Montant évité : il ne peut pas être négatif."},
    )

    def __init__(self, *args, sections, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        answers = answers or {}
        self.sections = []
        for section in sections:
            names = []
            for question in section.questions:
                current = answers.get(question.key) or {}
                self.fields[f"{question.key}__answer"] = forms.ChoiceField(
                    label=question.label,
                    help_text=question.guidance,
                    choices=ANSWERS,
                    widget=forms.RadioSelect,
                    initial=current.get("answer", UNKNOWN),
                    error_messages={"required": f"{question.label} : choisissez oui, non ou ne sait pas."},
                )
                self.fields[f"{question.key}__comment"] = forms.CharField(
                    label=f"Commentaire : {question.label[0].lower()}{question.label[1:]}",
                    required=False,
                    max_length=2000,
                    initial=current.get("comment", ""),
                )
                names.append((question, f"{question.key}__answer", f"{question.key}__comment"))
            self.sections.append((section, names))
        self.order_fields([name for _s, names in self.sections for _q, a, c in names for name in (a, c)])

    def bound_sections(self) -> list:
        """[(section, [(answer field, comment field), …]), …] for the template."""
        return [(section, [(self[a], self[c]) for _q, a, c in names]) for section, names in self.sections]

    def answers(self) -> dict:
        return {
            question.key: {"answer": self.cleaned_data[a], "comment": self.cleaned_data[c]}
            for _section, names in self.sections
            for question, a, c in names
        }
