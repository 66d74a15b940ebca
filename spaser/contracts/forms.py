"""Forms of the contract pages: the list filters (a GET form whose values live in the URL), attribution
rules, and the manual choice of a direction."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from spaser.core.forms import SpaserForm, SpaserModelForm
from spaser.organisations.models import Organisation

from .models import AttributionRule, ContractKind, ContractOrigin

TRI_STATE = [("", "Tous"), ("oui", "Oui"), ("non", "Non"), ("inconnu", "Inconnu")]
YES_NO = [("", "Tous"), ("oui", "Oui"), ("non", "Non")]
UNATTRIBUTED = "aucune"
UNKNOWN_YEAR = "inconnue"

# Initial amount bands (€ HT): round figures, not procedure thresholds, which change every two years.
AMOUNT_BANDS = {
    "moins-40k": ("Moins de 40 000 €", None, 40_000),
    "40k-100k": ("De 40 000 à 100 000 €", 40_000, 100_000),
    "100k-1m": ("De 100 000 € à 1 M€", 100_000, 1_000_000),
    "1m-5m": ("De 1 à 5 M€", 1_000_000, 5_000_000),
    "5m-plus": ("5 M€ et plus", 5_000_000, None),
    "inconnu": ("Montant inconnu", None, None),
}

SORTS = {
    "date": ("notification_date", "date de notification"),
    "montant": ("amount", "montant initial"),
    "uid": ("uid", "identifiant"),
    "objet": ("object", "objet"),
}
DEFAULT_SORT = "-date"
SORT_CHOICES = [
    (key, f"{label}, {order}")
    for name, (_field, label) in SORTS.items()
    for key, order in ((f"-{name}", "décroissant"), (name, "croissant"))
]  # the default (« -date ») first: a form without « tri » shows what the list does


class ContractFilterForm(SpaserForm):
    """Every field is optional; an invalid value is reported and that filter alone is ignored."""

    q = forms.CharField(
        label="Rechercher",
        required=False,
        max_length=200,
        help_text="Objet, identifiant national (uid), identifiant de l'acheteur, SIRET ou nom du titulaire.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    annee = forms.ChoiceField(label="Année de notification", required=False)
    direction = forms.ChoiceField(label="Direction", required=False)
    cpv = forms.ChoiceField(label="Division CPV", required=False)
    procedure = forms.ChoiceField(label="Procédure", required=False)
    type = forms.ChoiceField(
        label="Type de contrat", required=False, choices=[("", "Tous"), *ContractKind.choices]
    )
    montant = forms.ChoiceField(
        label="Montant initial (€ HT)",
        required=False,
        choices=[("", "Tous"), *((key, label) for key, (label, _low, _high) in AMOUNT_BANDS.items())],
    )
    sociale = forms.ChoiceField(label="Considération sociale", required=False, choices=TRI_STATE)
    environnementale = forms.ChoiceField(
        label="Considération environnementale", required=False, choices=TRI_STATE
    )
    accord_cadre = forms.ChoiceField(label="Accord-cadre", required=False, choices=YES_NO)
    alertes = forms.ChoiceField(label="Alertes qualité", required=False, choices=YES_NO)
    origine = forms.ChoiceField(
        label="Origine", required=False, choices=[("", "Toutes"), *ContractOrigin.choices]
    )
    tri = forms.ChoiceField(label="Trier par", required=False, choices=SORT_CHOICES)

    def __init__(self, *args, choices: dict[str, list[tuple[str, str]]], **kwargs):
        """`choices`: the values present in the perimeter for `annee`, `direction`, `cpv`, `procedure`."""
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [("", "Toutes"), *choices["annee"], (UNKNOWN_YEAR, "Inconnue")]
        self.fields["direction"].choices = [
            ("", "Toutes"),
            (UNATTRIBUTED, "Non attribué"),
            *choices["direction"],
        ]
        self.fields["cpv"].choices = [("", "Toutes"), *choices["cpv"]]
        self.fields["procedure"].choices = [("", "Toutes"), *choices["procedure"]]

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filter values (an invalid field is dropped, its error shown)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class AttributionRuleForm(SpaserModelForm):
    class Meta:
        model = AttributionRule
        fields = ["direction", "priority", "cpv_prefix", "buyer_siret", "keyword", "min_amount", "max_amount"]
        help_texts = {
            "priority": "Quand plusieurs règles conviennent, la plus petite priorité gagne.",
            "cpv_prefix": "Les premiers chiffres du code CPV, par exemple 45 (travaux) ou 4523.",
            "buyer_siret": "14 chiffres ; l'acheteur doit faire partie du périmètre.",
            "keyword": "Sans tenir compte des majuscules ni des accents.",
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instance.organisation = organisation
        self.fields["direction"].queryset = organisation.directions.all()
        self.fields["direction"].empty_label = "Choisissez une direction"

    def clean_cpv_prefix(self) -> str:
        value = "".join(self.cleaned_data["cpv_prefix"].split())
        if value and not value.isdigit():
            raise ValidationError("Le début du code CPV ne doit contenir que des chiffres, par exemple 4523.")
        return value

    def clean_buyer_siret(self) -> str:
        value = "".join(self.cleaned_data["buyer_siret"].split())
        if not value:
            return value
        if len(value) != 14 or not value.isdigit():
            raise ValidationError("Le SIRET de l'acheteur doit comporter exactement 14 chiffres.")
        identifiers = self.organisation.buyers.values_list("identifier", flat=True)
        if not any(value.startswith(identifier) for identifier in identifiers):
            raise ValidationError(
                f"L'acheteur {value} ne fait pas partie du périmètre de l'organisation : "
                "la règle ne s'appliquerait à aucun marché."
            )
        return value

    def clean_keyword(self) -> str:
        return self.cleaned_data["keyword"].strip()


class DirectionChoiceForm(SpaserForm):
    direction = forms.ModelChoiceField(
        label="Direction",
        queryset=None,
        empty_label="Choisissez une direction",
        error_messages={
            "required": "Choisissez la direction du marché.",
            "invalid_choice": "Cette direction n'existe pas dans votre organisation.",
        },
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["direction"].queryset = organisation.directions.all()
