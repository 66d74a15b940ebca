"""Forms of the referral rules and the clause library (pilot), their filters, and the choice of the resource
directions when loading the defaults."""

from __future__ import annotations

from django import forms

from spaser.core.forms import SpaserForm
from spaser.renewals.forms import EuroField

from ..models import ClauseKind, Nature


class RuleForm(SpaserForm):
    resource_direction = forms.ModelChoiceField(
        label="Direction ressource saisie",
        queryset=None,
        empty_label="— Choisir —",
        error_messages={"invalid_choice": "Choisissez une direction ressource de la liste."},
    )
    name = forms.CharField(label="Intitulé", max_length=200)
    all_projects = forms.BooleanField(
        label="Toutes les acquisitions",
        required=False,
        help_text="Cochez pour saisir cette direction sur chaque projet, sans aucun critère.",
    )
    cpv_prefixes = forms.CharField(
        label="Préfixes CPV",
        max_length=500,
        required=False,
        help_text=(
            "Séparés par des virgules, de 2 à 8 chiffres chacun (45 = travaux, 301 = matériel informatique)."
        ),
    )
    natures = forms.MultipleChoiceField(
        label="Natures",
        choices=Nature.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucune cochée : toutes les natures.",
    )
    min_amount = EuroField(
        label="Montant estimé minimal (€ HT)", required=False, min_value=0, decimal_places=2
    )
    max_amount = EuroField(
        label="Montant estimé maximal (€ HT)", required=False, min_value=0, decimal_places=2
    )
    keywords = forms.CharField(
        label="Mots-clés",
        max_length=500,
        required=False,
        help_text="Séparés par des virgules, cherchés dans l'objet et la description, accents ignorés.",
    )
    deadline_days = forms.IntegerField(
        label="Délai de l'avis (jours)", min_value=1, max_value=180, initial=15
    )

    def __init__(self, *args, directions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource_direction"].queryset = directions


class ClauseForm(SpaserForm):
    cpv_prefix = forms.CharField(
        label="Famille CPV (préfixe)",
        max_length=8,
        required=False,
        help_text="De 2 à 8 chiffres ; vide : tous les achats.",
    )
    family = forms.CharField(label="Famille d'achats", max_length=200, help_text="Par exemple « Mobilier ».")
    kind = forms.ChoiceField(label="Type", choices=ClauseKind.choices)
    title = forms.CharField(label="Intitulé", max_length=300)
    text = forms.CharField(label="Rédaction proposée", widget=forms.Textarea(attrs={"rows": 6}))
    suggested_weight = forms.IntegerField(
        label="Pondération suggérée (%)",
        required=False,
        min_value=1,
        max_value=100,
        help_text="Seulement pour un critère social ou environnemental.",
    )
    source = forms.CharField(
        label="Source",
        max_length=300,
        required=False,
        help_text="Article du code de la commande publique, loi, décret ou guide.",
    )


class ClauseFilterForm(SpaserForm):
    famille = forms.ChoiceField(label="Famille CPV", required=False)
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "Tous"), *ClauseKind.choices])
    inactives = forms.BooleanField(label="Inclure les clauses désactivées", required=False)

    def __init__(self, *args, families=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["famille"].choices = [("", "Toutes")] + [
            (prefix or "tous", f"{prefix} — {family}" if prefix else family) for prefix, family in families
        ]


class DefaultsForm(SpaserForm):
    """Which resource direction plays which part in the default rules (one direction may play several)."""

    environment = forms.ModelChoiceField(
        label="Transition écologique", queryset=None, empty_label="— Choisir —"
    )
    insertion = forms.ModelChoiceField(
        label="Insertion, emploi et économie sociale et solidaire", queryset=None, empty_label="— Choisir —"
    )
    purchasing = forms.ModelChoiceField(label="Achats", queryset=None, empty_label="— Choisir —")

    def __init__(self, *args, directions, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("environment", "insertion", "purchasing"):
            self.fields[name].queryset = directions
