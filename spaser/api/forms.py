"""The form of the token page: a name and a validity."""

from __future__ import annotations

from django import forms

from spaser.core.forms import SpaserForm

VALIDITY_CHOICES = [
    ("30", "30 jours"),
    ("90", "90 jours"),
    ("365", "1 an"),
    ("", "Sans expiration (jusqu'à révocation)"),
]


class TokenForm(SpaserForm):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="Pour le reconnaître dans la liste : « Tableau BI », « Script de suivi »…",
        error_messages={
            "required": "Le nom du jeton est obligatoire.",
            "max_length": "Le nom du jeton fait au plus 100 caractères.",
        },
    )
    days = forms.TypedChoiceField(
        label="Validité",
        choices=VALIDITY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
        help_text="Un jeton expiré ou révoqué est refusé par l'API.",
        error_messages={"invalid_choice": "Choisissez une durée de validité de la liste."},
    )
