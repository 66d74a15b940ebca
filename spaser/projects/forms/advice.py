"""Forms of the advice pages: the list filters (GET), the advice itself, the pilot's manual referral and
deadline. Validation that concerns the data lives in advising.py; the forms only parse."""

from __future__ import annotations

from django import forms

from spaser.core.forms import SpaserForm

from ..models import AdviceStatus, ReservedKind

UNKNOWN_YES_NO = [("", "Pas d'avis"), ("true", "Oui, recommandé"), ("false", "Non, sans objet ici")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RecommendationField(forms.TypedChoiceField):
    """A recommendation: yes, no, or no opinion (None) — unknown is not no."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=UNKNOWN_YES_NO,
            coerce=lambda v: v == "true",
            empty_value=None,
            required=False,
            **kwargs,
        )

    def prepare_value(self, value):
        if value is True:
            return "true"
        if value is False:
            return "false"
        return value


class AdviceFilterForm(SpaserForm):
    """Every filter optional; an invalid value is reported and that filter alone is ignored."""

    direction = forms.ChoiceField(label="Direction ressource", required=False)
    etat = forms.ChoiceField(
        label="État",
        required=False,
        choices=[("", "Tous"), ("a_rendre", "À rendre (demandé ou en cours)"), *AdviceStatus.choices],
    )
    retard = forms.BooleanField(label="En retard seulement", required=False)

    def __init__(self, *args, directions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["direction"].choices = [("", "Toutes")] + [(d.slug, d.name) for d in directions]


class AdviceForm(SpaserForm):
    """The advice: recommendations grouped (social, environmental, SMEs and sourcing), the library clauses
    for the project's CPV, the advice text and its status."""

    SOCIAL = ("insertion_clause", "insertion_hours", "reserved_lot", "reserved_kind", "social_criterion")
    ENVIRONMENTAL = ("env_clause", "env_criterion", "env_criterion_weight")
    SMES = ("sme_lots", "sourcing", "sourcing_notes")

    insertion_clause = RecommendationField(label="Clause d'insertion")
    insertion_hours = forms.IntegerField(
        label="Heures d'insertion recommandées",
        required=False,
        min_value=1,
        help_text="Avec une clause d'insertion : en général 5 à 7 % des heures de main-d'œuvre.",
    )
    reserved_lot = RecommendationField(label="Lot réservé")
    reserved_kind = forms.ChoiceField(
        label="Type de réservation",
        required=False,
        choices=[("", "—"), *ReservedKind.choices],
        help_text="Avec un lot réservé.",
    )
    social_criterion = RecommendationField(label="Critère social d'attribution")
    env_clause = RecommendationField(label="Clause environnementale (condition d'exécution)")
    env_criterion = RecommendationField(label="Critère environnemental d'attribution")
    env_criterion_weight = forms.IntegerField(
        label="Pondération du critère environnemental (%)",
        required=False,
        min_value=1,
        max_value=100,
        help_text="Avec un critère environnemental : de 1 à 100 %.",
    )
    sme_lots = RecommendationField(label="Allotissement adapté aux PME")
    sourcing = RecommendationField(label="Sourcing à mener")
    sourcing_notes = forms.CharField(
        label="Sourcing : précisions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Structures à consulter (SIAE, EA, ESAT, PME du territoire), calendrier.",
    )
    clauses = forms.MultipleChoiceField(label="Clauses de la bibliothèque retenues", required=False)
    comment = forms.CharField(
        label="Avis",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "Obligatoire pour un avis « sans objet » ; pour un avis rendu, le texte ou une recommandation."
        ),
    )
    status = forms.ChoiceField(label="État de l'avis", choices=AdviceStatus.choices)

    def __init__(self, *args, library=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.library = list(library)
        self.fields["clauses"].choices = [(str(c.pk), c.title) for c in self.library]
        self.fields["clauses"].widget = forms.CheckboxSelectMultiple(choices=self.fields["clauses"].choices)

    def selected_clauses(self) -> list:
        chosen = set(self.cleaned_data.get("clauses") or [])
        return [c for c in self.library if str(c.pk) in chosen]

    def group(self, names):
        return [self[name] for name in names]

    @property
    def social_fields(self):
        return self.group(self.SOCIAL)

    @property
    def environmental_fields(self):
        return self.group(self.ENVIRONMENTAL)

    @property
    def sme_fields(self):
        return self.group(self.SMES)

    @property
    def clause_choices(self):
        """(clause, checked) for the template, which renders each clause with its text and source."""
        value = self["clauses"].value() or []
        chosen = {str(v) for v in value}
        return [(c, str(c.pk) in chosen) for c in self.library]


class AdviceRequestForm(SpaserForm):
    direction = forms.ModelChoiceField(
        label="Direction ressource",
        queryset=None,
        empty_label="— Choisir —",
        error_messages={"invalid_choice": "Choisissez une direction ressource de la liste."},
    )
    deadline = forms.DateField(
        label="À rendre avant le",
        required=False,
        widget=DateInput(),
        help_text="Vide : dans 15 jours.",
    )
    required = forms.BooleanField(
        label="Avis obligatoire avant le lancement de la consultation", required=False, initial=True
    )

    def __init__(self, *args, directions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["direction"].queryset = directions


class DeadlineForm(SpaserForm):
    deadline = forms.DateField(label="Nouvelle date limite", widget=DateInput())
