"""Forms of the purchase project pages: the list filters (GET, values in the URL), the project itself
(create and edit), the stage move, the pilot's override and the linking of contracts by DECP uid."""

from __future__ import annotations

import re

from django import forms

from spaser.contracts.models import Contract
from spaser.core.forms import SpaserForm, SpaserModelForm
from spaser.renewals.forms import EuroField

from ..models import Nature, Project
from ..selectors import ACTIVE, DEFAULT_SORT, SORTS
from ..services import EDITABLE_FIELDS
from ..stages import Stage

SORT_CHOICES = [
    (key, f"{label}, {order}")
    for name, (_expression, label) in SORTS.items()
    for key, order in ((f"-{name}", "décroissant"), (name, "croissant"))
]
SORT_CHOICES.sort(key=lambda choice: choice[0] != DEFAULT_SORT)  # the default first


class ProjectFilterForm(SpaserForm):
    """Every filter optional; an invalid value is reported and that filter alone is ignored."""

    q = forms.CharField(
        label="Rechercher",
        required=False,
        max_length=200,
        help_text="Référence (P-2026-001) ou mots de l'objet.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    direction = forms.ChoiceField(label="Direction", required=False)
    etape = forms.ChoiceField(
        label="Étape",
        required=False,
        choices=[("", "Toutes"), (ACTIVE, "Projets actifs (ni terminés ni abandonnés)"), *Stage.choices],
    )
    nature = forms.ChoiceField(label="Nature", required=False, choices=[("", "Toutes"), *Nature.choices])
    tri = forms.ChoiceField(label="Trier par", required=False, choices=SORT_CHOICES)

    def __init__(self, *args, directions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.directions = {d.slug: d for d in directions}
        self.fields["direction"].choices = [("", "Toutes"), *((d.slug, d.name) for d in directions)]

    def filters(self) -> dict:
        """The valid filters (an invalid one is dropped, its error shown by the form)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        values = {name: data.get(name) for name in self.fields if name not in self.errors}
        values["direction"] = self.directions.get(values.get("direction") or "")
        return {name: value for name, value in values.items() if value}


TRI_STATE = [("", "Pas encore décidé"), ("oui", "Oui"), ("non", "Non")]


class TriStateField(forms.TypedChoiceField):
    """Yes / no / not decided yet (None): unknown is never saved as no."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=TRI_STATE,
            coerce=lambda value: {"oui": True, "non": False}.get(value),
            empty_value=None,
            required=False,
            **kwargs,
        )

    def prepare_value(self, value):
        if value is True:
            return "oui"
        if value is False:
            return "non"
        return value or ""


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


PLANNED = (
    "env_clause",
    "env_criterion",
    "env_criterion_weight",
    "social_clause",
    "social_criterion",
    "insertion_hours",
    "reserved_lot",
    "climate_derogation",
)


class ProjectForm(SpaserModelForm):
    """The project's editable fields; the renewed contract is given by its DECP uid (an organisation holds
    thousands of contracts: no select list). The pilot chooses the direction on creation."""

    renewed_uid = forms.CharField(
        label="Marché renouvelé (identifiant DECP)",
        required=False,
        max_length=80,
        help_text="Si le projet remplace un marché en cours : son identifiant national (uid), tel qu'affiché "
        "sur la page du marché. La revue du besoin comporte alors la section « renouvellement ».",
    )
    estimated_amount = EuroField(
        label="Montant estimé (€ HT)",
        min_value=0,
        max_digits=16,
        decimal_places=2,
        localize=True,
        help_text="Sur toute la durée du marché, reconductions comprises.",
        error_messages={"min_value": "Montant estimé : il ne peut pas être négatif."},
    )
    cpv = forms.CharField(
        label="Code CPV principal",
        max_length=20,
        help_text="8 chiffres, sans la clé de contrôle (45210000 = travaux de construction de bâtiments).",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    nature = forms.ChoiceField(label="Nature", choices=[("", "Choisissez la nature"), *Nature.choices])
    env_clause = TriStateField(label="Clause environnementale prévue")
    env_criterion = TriStateField(label="Critère environnemental prévu")
    social_clause = TriStateField(label="Clause sociale prévue")
    social_criterion = TriStateField(label="Critère social prévu")
    reserved_lot = TriStateField(label="Lot réservé prévu")

    class Meta:
        model = Project
        fields = [f for f in EDITABLE_FIELDS if f != "renewed_contract"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "planned_launch_date": DateInput(),
            "planned_notification_date": DateInput(),
            "climate_derogation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, organisation, directions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        if directions is not None:  # the pilot creating a project
            self.fields["direction"] = forms.ModelChoiceField(
                label="Direction qui porte le projet",
                queryset=directions,
                empty_label="Choisissez une direction",
                error_messages={"required": "Direction : choisissez la direction qui porte le projet."},
            )
            self.order_fields(["direction"])
        if self.instance.renewed_contract_id:
            self.initial.setdefault("renewed_uid", self.instance.renewed_contract.uid)
        for name in ("title", "cpv", "nature", "duration_months"):
            label = self.fields[name].label
            self.fields[name].error_messages["required"] = f"{label[0].upper()}{label[1:]} : à renseigner."

    def clean_cpv(self) -> str:
        """« 4523 3141 », « 45233141-7 »: the 8 digits, without spaces nor the check digit."""
        raw = self.cleaned_data.get("cpv") or ""
        digits = re.sub(r"\D", "", raw.split("-")[0])
        return digits if len(digits) == 8 else raw.strip()

    def clean_renewed_uid(self):
        uid = (self.cleaned_data.get("renewed_uid") or "").strip()
        if not uid:
            self.renewed_contract = None
            return ""
        contract = Contract.objects.for_organisation(self.organisation).filter(uid=uid).first()
        if contract is None:
            raise forms.ValidationError(
                f"Marché renouvelé : aucun marché d'identifiant « {uid} » dans le périmètre "
                "de l'organisation."
            )
        self.renewed_contract = contract
        return uid

    def service_fields(self) -> dict:
        """The cleaned values as the services take them."""
        values = {name: self.cleaned_data[name] for name in self._meta.fields}
        values["renewed_contract"] = getattr(self, "renewed_contract", None)
        return values

    def planned_fields(self) -> list:
        return [self[name] for name in PLANNED]

    def main_fields(self) -> list:
        return [field for field in self.visible_fields() if field.name not in PLANNED]


class MoveForm(SpaserForm):
    to_stage = forms.ChoiceField(label="Étape visée", choices=Stage.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour revenir à l'étape précédente ou abandonner le projet : "
        "indiquez le motif.",
    )


class OverrideForm(SpaserForm):
    reason = forms.CharField(
        label="Motif de la dérogation aux avis obligatoires",
        error_messages={"required": "Motif : il est obligatoire pour déroger aux avis."},
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Il est conservé dans l'historique du projet et affiché avec lui.",
    )


class LinkContractsForm(SpaserForm):
    uids = forms.CharField(
        label="Identifiants DECP (uid) des marchés issus du projet",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Un identifiant par ligne (ou séparés par des virgules), tels qu'affichés sur la page des "
        "marchés.",
        error_messages={"required": "Identifiants : indiquez au moins un identifiant de marché."},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_uids(self) -> list[Contract]:
        uids = list(
            dict.fromkeys(u.strip() for u in re.split(r"[\s,;]+", self.cleaned_data["uids"]) if u.strip())
        )
        if not uids:
            raise forms.ValidationError("Identifiants : indiquez au moins un identifiant de marché.")
        found = {c.uid: c for c in Contract.objects.for_organisation(self.organisation).filter(uid__in=uids)}
        unknown = [u for u in uids if u not in found]
        if unknown:
            names = ", ".join(f"« {u} »" for u in unknown)
            what = (
                f"le marché {names} est introuvable"
                if len(unknown) == 1
                else f"les marchés {names} sont introuvables"
            )
            raise forms.ValidationError(f"Identifiants : {what} dans le périmètre de l'organisation.")
        return [found[u] for u in uids]


class ContractSearchForm(SpaserForm):
    q = forms.CharField(
        label="Chercher un marché de l'organisation",
        required=False,
        max_length=200,
        help_text="Identifiant (uid), identifiant de l'acheteur ou mots de l'objet.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
