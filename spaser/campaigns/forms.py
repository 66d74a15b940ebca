"""Forms of the campaign pages. They only parse what the user typed; the rules (who, which values, which
files) live in services.py and evidence.py, whose errors the views attach to these forms' fields."""

from __future__ import annotations

from django import forms

from spaser.core.forms import SpaserForm
from spaser.indicators.periods import Period
from spaser.schemes.models import Unit

from .evidence import ACCEPTED_LABEL, MAX_EVIDENCE_BYTES, check_evidence, file_size
from .models import PERIOD_KEYS, EntryStatus

FREQUENCY_HINT = {
    "yearly": "suivi annuel",
    "semiannual": "suivi semestriel",
    "quarterly": "suivi trimestriel",
    "monthly": "suivi mensuel",
}


def _period_label(key: str) -> str:
    # A neutral year: the label without the year (« 2e trimestre »).
    return "L'année entière" if key == "A" else Period(2000, key).label.removesuffix(" 2000").capitalize()


class OpenCampaignForm(SpaserForm):
    year = forms.TypedChoiceField(label="Année", coerce=int)
    period = forms.ChoiceField(
        label="Période",
        choices=[(key, _period_label(key)) for key in PERIOD_KEYS],
        initial="A",
        help_text="La période sur laquelle portent les valeurs saisies.",
    )
    due_date = forms.DateField(
        label="Date limite de saisie",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Les directions sont relancées par courriel à partir de 7 jours avant cette date.",
        error_messages={
            "required": "Indiquez la date limite de saisie.",
            "invalid": "Indiquez une date valide (jj/mm/aaaa).",
        },
    )
    title = forms.CharField(
        label="Intitulé",
        max_length=200,
        required=False,
        help_text="Par défaut : « Saisie des indicateurs — » suivi de la période.",
    )
    note = forms.CharField(
        label="Message aux directions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Affiché en tête de la campagne (consignes, contacts).",
    )
    indicators = forms.ModelMultipleChoiceField(
        label="Indicateurs à saisir",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tous les indicateurs saisis manuellement du schéma sont cochés ; décochez ceux qui ne "
        "sont pas attendus pour cette période.",
        error_messages={"required": "Cochez au moins un indicateur à saisir."},
    )

    def __init__(self, *args, scheme, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in scheme.years]
        self.fields["indicators"].queryset = indicators
        self.fields["indicators"].label_from_instance = lambda indicator: (
            f"{indicator.code} — {indicator.name} ({FREQUENCY_HINT.get(indicator.frequency, '')} ; "
            f"{indicator.owner_direction.name if indicator.owner_direction else 'saisi par le pilote'})"
        )
        if not self.is_bound:
            self.initial.setdefault("indicators", list(indicators))


class EntryForm(SpaserForm):
    value = forms.DecimalField(
        label="Valeur",
        required=False,
        localize=True,
        max_digits=18,
        decimal_places=4,
        error_messages={"invalid": "La valeur doit être un nombre (par exemple 12,5)."},
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Source de la valeur, mode de calcul, limites : ce qui permet au pilote de la valider.",
    )
    evidence = forms.FileField(
        label="Justificatif",
        required=False,
        help_text=f"{ACCEPTED_LABEL} ; {file_size(MAX_EVIDENCE_BYTES)} au plus. Le type est vérifié d'après "
        "le contenu du fichier.",
        widget=forms.FileInput(attrs={"accept": ".pdf,.xlsx,.ods,.docx,.odt,.csv,.png,.jpg,.jpeg"}),
    )
    remove_evidence = forms.BooleanField(
        label="Retirer le justificatif actuel",
        required=False,
        help_text="Le fichier reste consultable dans l'historique.",
    )

    def __init__(self, *args, entry, **kwargs):
        super().__init__(*args, **kwargs)
        unit = entry.indicator.unit
        self.fields["value"].label = f"Valeur ({Unit(unit).label})"
        self.fields["value"].help_text = {
            Unit.PERCENT: "Un pourcentage, entre 0 et 100 (par exemple 12,5).",
            Unit.COUNT: "Un nombre entier, 0 ou plus.",
            Unit.EURO: "Un montant en euros, 0 ou plus (par exemple 12500,50).",
            Unit.HOURS: "Un nombre d'heures, 0 ou plus.",
            Unit.DAYS: "Un nombre de jours, 0 ou plus.",
            Unit.TCO2E: "Des tonnes équivalent CO2, 0 ou plus.",
        }.get(unit, "")
        if not entry.evidence:
            del self.fields["remove_evidence"]

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            check_evidence(upload)
        return upload


class SendBackForm(SpaserForm):
    review_comment = forms.CharField(
        label="Ce qu'il faut corriger",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Le commentaire est obligatoire : dites à la direction ce qu'il faut corriger."
        },
    )

    def __init__(self, *args, entry=None, **kwargs):
        super().__init__(*args, **kwargs)
        if entry is not None:
            # One form per entry on the campaign page: unique ids keep every label tied to its own field.
            self.auto_id = f"id_renvoi_{entry.pk}_%s"


class EntryFilterForm(forms.Form):
    """GET filters of the campaign page: they live in the URL, so a filtered page can be shared."""

    direction = forms.ChoiceField(label="Direction", required=False)
    statut = forms.ChoiceField(
        label="Statut", required=False, choices=[("", "Tous les statuts"), *EntryStatus.choices]
    )

    def __init__(self, *args, directions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["direction"].choices = [
            ("", "Toutes les directions"),
            *((d.slug, d.name) for d in directions),
            ("pilote", "Sans direction (saisie du pilote)"),
        ]
