"""Forms of the register, with French messages that say what is wrong and where."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from spaser.core.forms import SpaserForm, SpaserFormMixin, SpaserModelForm
from spaser.indicators.methods import CONTRACT_FLAGS, MEASURES, METHODS, InvalidParams, validate_definition

from .models import Action, ActionStatus, Axis, Commitment, Indicator, Objective, Scheme, SchemeStatus, Target

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PROGRESS_ERROR = "L'avancement doit être un nombre entier compris entre 0 et 100 %."
RESERVED_SLUGS = {"nouveau"}
POSITION_HELP = "Rang d'affichage parmi ses voisins ; laissé vide, l'élément est placé en dernier."


def position_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Ordre d'affichage",
        required=False,
        min_value=0,
        max_value=32767,
        help_text=POSITION_HELP,
        error_messages={"min_value": "L'ordre d'affichage est un nombre positif ou nul."},
    )


def progress_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Avancement (%)",
        min_value=0,
        max_value=100,
        help_text="Pourcentage de réalisation, de 0 à 100.",
        error_messages={
            # These two messages are %-formatted with the limit: escape the percent sign.
            "min_value": PROGRESS_ERROR.replace("%", "%%"),
            "max_value": PROGRESS_ERROR.replace("%", "%%"),
            "invalid": PROGRESS_ERROR,
            "required": "Indiquez l'avancement, de 0 à 100 %.",
        },
    )


def direction_label(direction) -> str:
    short = f" ({direction.short_name})" if direction.short_name else ""
    return f"{direction.name}{short} — {direction.get_kind_display().lower()}"


def check_done_is_complete(form: forms.Form) -> None:
    status, progress = form.cleaned_data.get("status"), form.cleaned_data.get("progress")
    if status == ActionStatus.DONE and progress is not None and progress != 100:
        form.add_error(
            "progress", "Une action « Réalisée » est avancée à 100 % : corrigez l'avancement ou le statut."
        )


class SchemeForm(SpaserModelForm):
    public_url = forms.URLField(
        label="Adresse de publication",
        required=False,
        assume_scheme="https",
        help_text="Adresse où le schéma adopté est publié (site de l'acheteur).",
        error_messages={
            "invalid": "Saisissez une adresse web complète, par exemple https://exemple.fr/spaser."
        },
    )

    class Meta:
        model = Scheme
        fields = [
            "title",
            "slug",
            "status",
            "period_start",
            "period_end",
            "edition",
            "adoption_date",
            "mutualised",
            "public_url",
            "summary",
            "note",
            "on_track_ratio",
            "at_risk_ratio",
        ]
        widgets = {"adoption_date": DATE_WIDGET, "summary": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "slug": "Utilisé dans l'adresse de la page publique : lettres minuscules, chiffres et tirets.",
            "mutualised": "Schéma adopté conjointement par plusieurs acheteurs.",
        }
        error_messages = {
            "slug": {"unique": "Cet identifiant court est déjà utilisé par un autre schéma."},
            "title": {"required": "Indiquez le titre du schéma."},
            "period_start": {"required": "Indiquez la première année du schéma."},
            "period_end": {"required": "Indiquez la dernière année du schéma."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The status thresholds have defaults (90 % and 75 % of the target): leaving them empty keeps them.
        for name in ("on_track_ratio", "at_risk_ratio"):
            self.fields[name].required = False

    def _ratio(self, name: str):
        value = self.cleaned_data.get(name)
        if value is None:
            return getattr(self.instance, name) if self.instance.pk else Scheme._meta.get_field(name).default
        return value

    def clean_on_track_ratio(self):
        return self._ratio("on_track_ratio")

    def clean_at_risk_ratio(self):
        return self._ratio("at_risk_ratio")

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise ValidationError(
                f"« {slug} » est un mot réservé de l'application : choisissez un autre identifiant."
            )
        return slug

    def clean(self):
        cleaned = super().clean()
        on_track, at_risk = cleaned.get("on_track_ratio"), cleaned.get("at_risk_ratio")
        if on_track is not None and at_risk is not None and at_risk > on_track:
            self.add_error(
                "at_risk_ratio",
                f"Le seuil « à surveiller » ({at_risk}) doit être inférieur ou égal au seuil "
                f"« en bonne voie » ({on_track}).",
            )
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start is not None and end is not None:
            if end < start:
                self.add_error(
                    "period_end",
                    f"La dernière année ({end}) doit être égale ou postérieure "
                    f"à la première année ({start}).",
                )
            elif self.instance.pk:
                outside = sorted(
                    set(
                        Target.objects.filter(indicator__commitment__axis__scheme=self.instance)
                        .exclude(year__range=(start, end))
                        .values_list("year", flat=True)
                    )
                )
                if outside:
                    years = ", ".join(str(year) for year in outside)
                    self.add_error(
                        "period_end" if outside[-1] > end else "period_start",
                        f"Des cibles existent pour des années hors de la période {start}-{end} ({years}) : "
                        "supprimez-les d'abord ou gardez une période qui les contient.",
                    )
        if cleaned.get("status") == SchemeStatus.ADOPTED and not cleaned.get("adoption_date"):
            self.add_error("adoption_date", "Indiquez la date d'adoption d'un schéma adopté.")
        return cleaned


class RegisterObjectForm(SpaserModelForm):
    """A form for an object inside a scheme; `scheme` scopes uniqueness checks and choices."""

    position = position_field()

    def __init__(self, *args, scheme: Scheme, **kwargs):
        self.scheme = scheme
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial["position"] = None

    def _post_clean(self):
        super()._post_clean()
        if "position" in self.fields and self.cleaned_data.get("position") is None:
            self.instance.position = None  # editing.register_object_save places it after its siblings


def _duplicate(queryset, instance, **lookup) -> bool:
    queryset = queryset.filter(**lookup)
    if instance.pk:
        queryset = queryset.exclude(pk=instance.pk)
    return queryset.exists()


class AxisForm(RegisterObjectForm):
    class Meta:
        model = Axis
        fields = ["code", "title", "description", "position"]
        help_texts = {"code": "Par exemple « I », « II », « III »."}
        error_messages = {
            "code": {"required": "Indiquez le numéro de l'axe."},
            "title": {"required": "Indiquez l'intitulé de l'axe."},
        }

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if _duplicate(Axis.objects, self.instance, scheme=self.scheme, code__iexact=code):
            raise ValidationError(f"Le numéro « {code} » est déjà celui d'un autre axe de ce schéma.")
        return code


class CommitmentForm(RegisterObjectForm):
    class Meta:
        model = Commitment
        fields = ["code", "title", "description", "position"]
        help_texts = {"code": "Par exemple « I.1 »."}
        error_messages = {
            "code": {"required": "Indiquez le numéro de l'engagement."},
            "title": {"required": "Indiquez l'intitulé de l'engagement."},
        }

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if _duplicate(Commitment.objects, self.instance, axis__scheme=self.scheme, code__iexact=code):
            raise ValidationError(f"Le numéro « {code} » est déjà celui d'un autre engagement de ce schéma.")
        return code


class ObjectiveForm(RegisterObjectForm):
    class Meta:
        model = Objective
        fields = ["text", "deadline", "position"]
        widgets = {"deadline": DATE_WIDGET, "text": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"text": {"required": "Rédigez l'objectif."}}


class ActionForm(RegisterObjectForm):
    progress = progress_field()

    class Meta:
        model = Action
        fields = ["title", "description", "owner_direction", "due_date", "status", "progress", "position"]
        widgets = {"due_date": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"title": {"required": "Indiquez l'intitulé de l'action."}}

    def __init__(self, *args, scheme: Scheme, **kwargs):
        super().__init__(*args, scheme=scheme, **kwargs)
        self.fields["owner_direction"].queryset = scheme.organisation.directions.all()
        self.fields["owner_direction"].empty_label = "— Aucune direction —"
        self.fields["owner_direction"].label_from_instance = direction_label
        self.fields[
            "owner_direction"
        ].help_text = "Ses référents pourront mettre à jour le statut et l'avancement de l'action."

    def clean(self):
        cleaned = super().clean()
        check_done_is_complete(self)
        return cleaned


class ActionProgressForm(SpaserFormMixin, forms.ModelForm):
    """What a direction referent may change on its own actions: status, progress and a comment."""

    progress = progress_field()
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=100,
        help_text="Consigné dans l'historique de l'action (100 caractères au plus).",
        error_messages={
            "max_length": "Le commentaire ne doit pas dépasser 100 caractères (il en compte %(show_value)d)."
        },
    )

    class Meta:
        model = Action
        fields = ["status", "progress"]

    def clean(self):
        cleaned = super().clean()
        check_done_is_complete(self)
        return cleaned


def params_help_text() -> str:
    measures = " ou ".join(f"{key} ({label})" for key, label in MEASURES.items())
    return (
        f"Part ou total de marchés : measure = {measures} ; condition = une donnée du marché "
        f"({', '.join(CONTRACT_FLAGS)}) ou une condition détaillée (docs/indicators.md) ; "
        "base (facultatif) ; include_frameworks = true ou false (facultatif). "
        'Exemple : {"measure": "count", "condition": "has_social"}. '
        'Heures : {"measure": "planned"}, "realised" ou "rate". Saisie manuelle : laissez vide.'
    )


class IndicatorForm(RegisterObjectForm):
    method = forms.ChoiceField(label="Méthode de calcul", choices=())
    params = forms.JSONField(
        label="Paramètres de la méthode (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "code", "spellcheck": "false"}),
        error_messages={
            "invalid": 'Les paramètres doivent être écrits en JSON valide, par exemple {"measure": "count", '
            '"condition": "has_social"}.'
        },
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "definition",
            "unit",
            "polarity",
            "frequency",
            "method",
            "params",
            "source",
            "perimeter_note",
            "owner_direction",
            "baseline_value",
            "baseline_year",
            "position",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "perimeter_note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "code": "Unique dans le schéma, par exemple « S1 ».",
            "source": "Par exemple « DECP », « registre interne », « saisie ».",
        }
        error_messages = {
            "code": {"required": "Indiquez le code de l'indicateur."},
            "name": {"required": "Indiquez l'intitulé de l'indicateur."},
        }

    def __init__(self, *args, scheme: Scheme, **kwargs):
        super().__init__(*args, scheme=scheme, **kwargs)
        self.fields["method"].choices = [(key, method.label) for key, method in METHODS.items()]
        self.fields["params"].help_text = params_help_text()
        self.fields["owner_direction"].queryset = scheme.organisation.directions.all()
        self.fields["owner_direction"].empty_label = "— Aucune direction —"
        self.fields["owner_direction"].label_from_instance = direction_label
        self.fields["baseline_value"].localize = True
        self.fields["baseline_value"].widget = forms.TextInput(attrs={"inputmode": "decimal"})
        self.fields["baseline_value"].help_text = "Valeur de départ, dans l'unité de l'indicateur (ex. 18,7)."

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        scope = {"commitment__axis__scheme": self.scheme}
        if _duplicate(Indicator.objects, self.instance, code__iexact=code, **scope):
            raise ValidationError(f"Le code « {code} » est déjà celui d'un autre indicateur de ce schéma.")
        return code

    def clean_params(self):
        params = self.cleaned_data.get("params")
        return {} if params in (None, "") else params

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        if method and "params" in cleaned:
            try:
                validate_definition(method, cleaned["params"])
            except InvalidParams as error:
                self.add_error("params", f"Paramètres invalides pour « {METHODS[method].label} » : {error}.")
        value, year = cleaned.get("baseline_value"), cleaned.get("baseline_year")
        if value is not None and year is None:
            self.add_error("baseline_year", "Indiquez l'année de la valeur de référence.")
        if year is not None and not 2000 <= year <= self.scheme.period_end:
            self.add_error(
                "baseline_year",
                f"L'année de référence doit être comprise entre 2000 et {self.scheme.period_end} "
                "(dernière année du schéma).",
            )
        return cleaned


class TargetForm(SpaserForm):
    year = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.DecimalField(
        label="Cible",
        required=False,
        max_digits=18,
        decimal_places=4,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": "Saisissez un nombre, par exemple 30 ou 30,5."},
    )

    def __init__(self, *args, scheme: Scheme, unit_label: str = "", **kwargs):
        self.scheme = scheme
        super().__init__(*args, **kwargs)
        year = self.initial.get("year") or self.data.get(self.add_prefix("year"))
        self.fields["value"].label = f"Cible {year}" + (f" ({unit_label})" if unit_label else "")

    def clean(self):
        cleaned = super().clean()
        year, value = cleaned.get("year"), cleaned.get("value")
        if year is not None and value is not None and year not in self.scheme.years:
            self.add_error(
                "value",
                f"L'année {year} est hors de la période du schéma "
                f"({self.scheme.period_start}-{self.scheme.period_end}) : "
                "videz la case pour supprimer cette cible.",
            )
        return cleaned


class BaseTargetFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        years = [form.cleaned_data.get("year") for form in self.forms if form.cleaned_data]
        duplicates = sorted({year for year in years if years.count(year) > 1})
        if duplicates:
            raise ValidationError(
                f"Une seule cible par année : l'année {', '.join(map(str, duplicates))} "
                "apparaît plusieurs fois."
            )

    def values(self) -> dict:
        return {form.cleaned_data["year"]: form.cleaned_data.get("value") for form in self.forms}


TargetFormSet = forms.formset_factory(TargetForm, formset=BaseTargetFormSet, extra=0, max_num=200)


def plain_decimal(value: Decimal | None) -> Decimal | None:
    """Decimal('20.0000') → Decimal('20'), Decimal('22.5000') → Decimal('22.5') (for form initial values)."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def target_formset(indicator: Indicator, data=None) -> BaseTargetFormSet:
    """One row per year of the scheme period, plus any existing target outside it (to be removed)."""
    scheme = indicator.scheme
    existing = {target.year: target.value for target in indicator.targets.all()}
    years = sorted(set(scheme.years) | set(existing))
    initial = [{"year": year, "value": plain_decimal(existing.get(year))} for year in years]
    return TargetFormSet(
        data,
        initial=initial,
        prefix="cibles",
        form_kwargs={"scheme": scheme, "unit_label": indicator.get_unit_display()},
    )
