"""Forms of the pilot's report pages (French labels and errors; the services validate again)."""

from __future__ import annotations

from django import forms

from spaser.core.forms import SpaserForm


class ValidateForm(SpaserForm):
    decision = forms.ModelChoiceField(
        label="Décision du COPIL",
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        help_text=(
            "Une décision d'un COPIL tenu qui a enregistré la validation de la revue annuelle de l'année."
        ),
        error_messages={
            "required": "Décision du COPIL : choisissez la décision qui valide le rapport.",
            "invalid_choice": "Décision du COPIL : cette décision ne peut pas valider ce rapport.",
        },
    )

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        field.queryset = decisions
        field.label_from_instance = lambda d: (
            f"{d.meeting.committee.name} du {d.meeting.date:%d/%m/%Y} : {d.text[:160]}"
        )


class CorrectForm(SpaserForm):
    erratum = forms.CharField(
        label="Erratum",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Ce que la nouvelle version corrige ; il sera publié avec elle, en tête du rapport.",
        error_messages={"required": "Erratum : expliquez ce que la nouvelle version corrige."},
    )
