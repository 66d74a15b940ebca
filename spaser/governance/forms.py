"""Forms of the governance pages. They only parse: the services validate (French messages naming the field)
and write. Choice lists are scoped to the user's organisation."""

from __future__ import annotations

from django import forms

from spaser.core.forms import SpaserForm
from spaser.organisations.models import Direction
from spaser.schemes.models import Commitment, Indicator

from .models import AttendanceStatus, CommitteeKind, CorrectiveStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
TEXT = forms.Textarea(attrs={"rows": 4})


def _directions(organisation):
    return Direction.objects.filter(organisation=organisation).order_by("name")


def _indicators(organisation):
    return (
        Indicator.objects.filter(commitment__axis__scheme__organisation=organisation)
        .select_related("commitment__axis__scheme")
        .order_by("commitment__axis__scheme__slug", "code")
    )


def _commitments(organisation):
    return (
        Commitment.objects.filter(axis__scheme__organisation=organisation)
        .select_related("axis__scheme")
        .order_by("axis__scheme__slug", "axis__position", "position", "code")
    )


class LinkLabels:
    @staticmethod
    def indicator(indicator) -> str:
        return f"{indicator.code} — {indicator.name}"

    @staticmethod
    def commitment(commitment) -> str:
        return f"{commitment.code} — {commitment.title}"


class CommitteeForm(SpaserForm):
    name = forms.CharField(label="Nom", max_length=200)
    description = forms.CharField(label="Rôle", required=False, widget=TEXT)
    frequency_months = forms.IntegerField(
        label="Périodicité (mois)",
        min_value=1,
        max_value=24,
        help_text="Le calendrier propose la date suivante à partir de la dernière séance : 1 pour un comité "
        "mensuel, 6 pour un comité semestriel.",
    )


class NewCommitteeForm(CommitteeForm):
    kind = forms.ChoiceField(label="Type", choices=CommitteeKind.choices)
    field_order = ["kind", "name", "description", "frequency_months"]


class MemberForm(SpaserForm):
    name = forms.CharField(label="Nom", max_length=200)
    function = forms.CharField(label="Fonction", max_length=200, required=False)
    direction = forms.ModelChoiceField(label="Direction", queryset=Direction.objects.none(), required=False)
    user = forms.ModelChoiceField(
        label="Compte Spaser",
        queryset=None,
        required=False,
        help_text="Pour que la personne retrouve le comité dans Spaser.",
    )
    email = forms.EmailField(label="Courriel", required=False)
    is_active = forms.BooleanField(label="Membre actuel", required=False, initial=True)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["direction"].queryset = _directions(organisation)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(memberships__organisation=organisation)
            .order_by("last_name", "first_name", "username")
            .distinct()
        )
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.get_username()} ({u.get_username()})"
        )


class MeetingForm(SpaserForm):
    date = forms.DateField(label="Date", widget=DATE)
    start_time = forms.TimeField(label="Heure", required=False, widget=TIME)
    location = forms.CharField(label="Lieu", max_length=200, required=False)
    validates_annual_review = forms.BooleanField(
        label="Cette séance valide la revue annuelle du schéma",
        required=False,
        help_text="COPIL seulement : le second COPIL de l'année valide la revue annuelle.",
    )
    annual_review_year = forms.IntegerField(
        label="Année de la revue validée", required=False, min_value=2000, max_value=2100
    )

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        if committee.kind != CommitteeKind.COPIL:
            del self.fields["validates_annual_review"]
            del self.fields["annual_review_year"]


class AgendaItemForm(SpaserForm):
    title = forms.CharField(label="Point", max_length=300)
    presenter = forms.CharField(label="Présenté par", max_length=200, required=False)
    duration_minutes = forms.IntegerField(label="Durée (minutes)", required=False, min_value=1, max_value=600)


class MinutesForm(SpaserForm):
    minutes = forms.CharField(
        label="Compte rendu",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Le relevé des échanges ; les décisions et les actions correctives s'enregistrent à part.",
    )


ATTENDANCE_CHOICES = [("", "Non renseignée"), *AttendanceStatus.choices]


class AttendanceForm(SpaserForm):
    """One status and one note per member of the committee."""

    def __init__(self, *args, members, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for member in self.members:
            record = current.get(member.pk)
            label = member.name + (f", {member.function}" if member.function else "")
            self.fields[f"member_{member.pk}"] = forms.ChoiceField(
                label=f"Présence de {label}",
                choices=ATTENDANCE_CHOICES,
                required=False,
                initial=record.status if record else "",
            )
            self.fields[f"note_{member.pk}"] = forms.CharField(
                label=f"Précision pour {member.name}",
                max_length=200,
                required=False,
                initial=record.note if record else "",
                help_text="Par exemple : représenté par…",
            )

    def rows(self):
        return [(member, self[f"member_{member.pk}"], self[f"note_{member.pk}"]) for member in self.members]

    def statuses(self) -> dict:
        data = self.cleaned_data
        return {m: (data[f"member_{m.pk}"], data[f"note_{m.pk}"]) for m in self.members}


class LinkedForm(SpaserForm):
    """A text optionally linked to an indicator or a commitment of the organisation's scheme."""

    indicator = forms.ModelChoiceField(label="Indicateur", queryset=Indicator.objects.none(), required=False)
    commitment = forms.ModelChoiceField(
        label="Engagement", queryset=Commitment.objects.none(), required=False
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = _indicators(organisation)
        self.fields["indicator"].label_from_instance = LinkLabels.indicator
        self.fields["commitment"].queryset = _commitments(organisation)
        self.fields["commitment"].label_from_instance = LinkLabels.commitment


class DecisionForm(LinkedForm):
    text = forms.CharField(label="Décision", widget=TEXT)
    direction = forms.ModelChoiceField(label="Direction", queryset=Direction.objects.none(), required=False)
    field_order = ["text", "indicator", "commitment", "direction"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["direction"].queryset = _directions(organisation)


class CorrectiveActionForm(LinkedForm):
    title = forms.CharField(label="Action", max_length=300)
    description = forms.CharField(label="Description", required=False, widget=TEXT)
    owner_direction = forms.ModelChoiceField(
        label="Direction pilote",
        queryset=Direction.objects.none(),
        help_text="Ses référents mettent l'action à jour.",
    )
    due_date = forms.DateField(label="Échéance", widget=DATE)
    expected_effect = forms.CharField(
        label="Effet attendu", widget=TEXT, help_text="Ce que l'action doit changer, mesurable si possible."
    )
    decision = forms.ModelChoiceField(label="Décision d'origine", queryset=None, required=False)
    field_order = [
        "title",
        "description",
        "owner_direction",
        "due_date",
        "expected_effect",
        "decision",
        "indicator",
        "commitment",
    ]

    def __init__(self, *args, organisation, meeting, **kwargs):
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["owner_direction"].queryset = _directions(organisation)
        self.fields["decision"].queryset = meeting.decisions.all()
        self.fields["decision"].label_from_instance = lambda d: d.text[:100]
        if not meeting.decisions.exists():
            del self.fields["decision"]


class ActionUpdateForm(SpaserForm):
    status = forms.ChoiceField(label="État", choices=CorrectiveStatus.choices)
    comment = forms.CharField(
        label="Commentaire de suivi", widget=TEXT, help_text="Ce qui a été fait, ce qui bloque, la suite."
    )


OPEN = "ouvertes"
STATUS_FILTER = [("", "Tous"), (OPEN, "Ouvertes (à engager ou en cours)"), *CorrectiveStatus.choices]


class ActionFilterForm(SpaserForm):
    status = forms.ChoiceField(label="État", required=False, choices=STATUS_FILTER)
    direction = forms.ChoiceField(label="Direction pilote", required=False)
    overdue = forms.BooleanField(label="En retard seulement", required=False)

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
