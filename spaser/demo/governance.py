"""The governance of the demo (issue 6): a monthly COTECH and a semi-annual COPIL of the Département, their
members, meetings held with their frozen packs, minutes, decisions and corrective actions, and the next
meetings planned.

Everything goes through the real services (governance.services), as the pilot and the referents would. The
calendar depends on the day the demo is loaded: the COTECH meets on the second Tuesday of each month and the
COPIL on the second Thursday of June and December. The two latest COTECHs up to today and the latest COPIL are
held — each holding freezes the pack (JSON, PDF, XLSX), so the demo holds only those three; the committees'
earlier meetings are not recorded (the committees are followed in Spaser from then on). The next COTECH and
the next COPIL are planned.

Holding a meeting builds its pack from the data of the day the demo is loaded (the figures of the year to date
at the end of the month before the meeting are computed by the pack itself), then freezes it.

Corrective actions: one decided at the first COTECH is done, one is past its due date and not started
(overdue), one decided at the second COTECH is in progress — the next COTECH's pack carries the open ones.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from spaser.governance import decisions, services
from spaser.governance.models import (
    AttendanceStatus,
    Committee,
    CommitteeKind,
    CorrectiveStatus,
    Meeting,
)
from spaser.governance.tasks import render_pack_files
from spaser.indicators.engine import compute_scheme
from spaser.indicators.scopes import organisation_scopes
from spaser.indicators.services import default_years, store_figures
from spaser.organisations.models import Organisation
from spaser.organisations.selectors import membership_for
from spaser.schemes.models import Scheme

TUESDAY, THURSDAY = 1, 3
LOCATION = "Bobigny, hôtel du Département, salle 2.14"


@dataclass(frozen=True)
class Seat:
    name: str
    function: str
    direction: str | None = None  # slug
    username: str | None = None  # the demo account, when the member has one


COTECH_SEATS = (
    Seat("Camille Martin", "Pilote du SPASER", "dcap", "pilote"),
    Seat("Nadia Benali", "Référente achats responsables", "dter", "ecologie"),
    Seat("Thomas Leroy", "Référent clauses sociales et insertion", "dieess", "insertion"),
    Seat("Sophie Nguyen", "Référente achats", "batiments", "batiments"),
    Seat("Karim Haddad", "Référent achats", "colleges", "colleges"),
    Seat("Inès Morel", "Référente achats", "nature"),
    Seat("Julien Petit", "Référent achats", "numerique"),
    Seat("Awa Diallo", "Référente achats", "social"),
    Seat("Marc Lemoine", "Référent achats", "voirie"),
)
COPIL_SEATS = (
    Seat("Claire Rousseau", "Directrice générale des services"),
    Seat("Olivier Bernard", "Directeur général adjoint, pôle ressources"),
    Seat("Hélène Dubois", "Vice-présidente déléguée à la commande publique", None, "comite"),
    Seat("Mehdi Saïdi", "Directeur de la commande et de l'achat public", "dcap"),
    Seat("Camille Martin", "Pilote du SPASER", "dcap", "pilote"),
)
COTECH_AGENDA = (
    ("Indicateurs du schéma, cumul de l'année", "Camille Martin", 20),
    ("Radar des renouvellements et revues du juste besoin", "Camille Martin", 20),
    ("Projets en préparation et avis des directions ressources", "Nadia Benali", 20),
    ("Alertes d'exécution : heures d'insertion, publication des données essentielles", "Thomas Leroy", 15),
    ("Suivi des actions correctives", "Camille Martin", 15),
)
COPIL_AGENDA = (
    ("Trajectoire du schéma par axe", "Camille Martin", 30),
    ("Tableaux de bord des directions", "Mehdi Saïdi", 30),
    ("Revue annuelle du schéma", "Camille Martin", 20),
    ("Arbitrages et décisions", "Claire Rousseau", 20),
)


def nth_weekday(year: int, month: int, weekday: int, n: int = 2) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _months_back(today: date, count: int):
    year, month = today.year, today.month
    for _ in range(count):
        yield year, month
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)


def calendar_of(today: date) -> dict[str, object]:
    """The meeting dates relative to `today`: the two latest COTECHs up to today (oldest first), the next
    COTECH, the latest COPIL up to today and the next COPIL."""
    cotechs = sorted(d for y, m in _months_back(today, 3) if (d := nth_weekday(y, m, TUESDAY)) <= today)
    following = nth_weekday(today.year, today.month, TUESDAY)
    if following <= today:
        following = nth_weekday(today.year + today.month // 12, today.month % 12 + 1, TUESDAY)
    copils = sorted(
        nth_weekday(year, month, THURSDAY) for year in (today.year - 1, today.year, today.year + 1)
        for month in (6, 12)
    )  # fmt: skip
    return {
        "cotechs": cotechs[-2:],
        "next_cotech": following,
        "copil": max(d for d in copils if d <= today),
        "next_copil": min(d for d in copils if d > today),
    }


class DemoGovernance:
    def __init__(self, organisation: Organisation, scheme: Scheme, today: date):
        self.organisation, self.scheme, self.today = organisation, scheme, today
        self.directions = {d.slug: d for d in organisation.directions.all()}
        users = get_user_model().objects.filter(username__in=["pilote", "ecologie", "insertion", "comite",
                                                              "batiments", "colleges"])  # fmt: skip
        self.users = {user.username: user for user in users}
        self.pilot = self.users["pilote"]
        self.membership = membership_for(self.pilot, organisation)
        self.indicators = {i.code: i for i in scheme.indicators()}

    # -- committees -------------------------------------------------------------------------------------

    def committee(self, kind: str, name: str, description: str, months: int, seats) -> Committee:
        committee = services.committee_create(
            organisation=self.organisation,
            membership=self.membership,
            kind=kind,
            name=name,
            description=description,
            frequency_months=months,
        )
        for seat in seats:
            services.member_save(
                committee=committee,
                membership=self.membership,
                name=seat.name,
                function=seat.function,
                direction=self.directions[seat.direction] if seat.direction else None,
                user=self.users.get(seat.username) if seat.username else None,
                email=f"{seat.username or seat.name.split()[-1].lower()}@demo.spaser.invalid",
            )
        return committee

    def plan(self, committee: Committee, on: date, agenda, **fields) -> Meeting:
        start = time(9, 30) if committee.kind == CommitteeKind.COTECH else time(14, 0)
        meeting = services.meeting_plan(
            committee=committee,
            membership=self.membership,
            user=self.pilot,
            on=on,
            start_time=start,
            location=LOCATION,
            **fields,
        )
        for title, presenter, minutes in agenda:
            services.agenda_add(
                meeting=meeting,
                membership=self.membership,
                title=title,
                presenter=presenter,
                duration_minutes=minutes,
            )
        return meeting

    def hold(self, meeting: Meeting, *, absent: dict[str, tuple[str, str]], minutes: str) -> Meeting:
        # The JSON is frozen now; the PDF and XLSX are rendered from it by the worker (a few seconds each),
        # or at the first download, whichever comes first.
        meeting = services.hold_meeting(
            meeting, self.membership, self.pilot, today=self.today, render_files=False
        )
        transaction.on_commit(functools.partial(render_pack_files, meeting.pk))
        statuses = {
            member: absent.get(member.name, (AttendanceStatus.PRESENT, ""))
            for member in meeting.committee.members.all()
        }
        services.attendance_record(meeting=meeting, membership=self.membership, statuses=statuses)
        services.minutes_update(meeting=meeting, membership=self.membership, minutes=minutes)
        return meeting

    def decide(self, meeting: Meeting, text: str, *, indicator: str | None = None, direction=None):
        return decisions.decision_save(
            meeting=meeting,
            membership=self.membership,
            user=self.pilot,
            text=text,
            indicator=self.indicators.get(indicator) if indicator else None,
            direction=self.directions[direction] if direction else None,
        )

    def action(self, meeting: Meeting, decision, *, title, owner, due, effect, indicator=None):
        return decisions.corrective_action_create(
            meeting=meeting,
            membership=self.membership,
            user=self.pilot,
            decision=decision,
            title=title,
            owner_direction=self.directions[owner],
            due_date=due,
            expected_effect=effect,
            indicator=self.indicators.get(indicator) if indicator else None,
        )

    def follow_up(self, action, username: str, status: str, comment: str) -> None:
        user = self.users[username]
        decisions.corrective_action_update(
            action=action,
            membership=membership_for(user, self.organisation),
            user=user,
            status=status,
            comment=comment,
        )

    # -- the story --------------------------------------------------------------------------------------

    def load(self) -> str:
        dates = calendar_of(self.today)
        cotech = self.committee(
            CommitteeKind.COTECH,
            "Comité technique des achats responsables (COTECH)",
            "Suit chaque mois les indicateurs, le radar des renouvellements, les projets en préparation et "
            "les alertes d'exécution ; décide des actions correctives.",
            1,
            COTECH_SEATS,
        )
        copil = self.committee(
            CommitteeKind.COPIL,
            "Comité de pilotage du SPASER (COPIL)",
            "Direction générale et élus : trajectoire du schéma, tableaux de bord des directions, revue "
            "annuelle.",
            6,
            COPIL_SEATS,
        )
        copil_day, (first_day, second_day) = dates["copil"], dates["cotechs"]
        held = {}
        # Held in date order: each pack compares with the previous held meeting of its committee.
        for on, kind in sorted([(copil_day, "copil"), (first_day, "first"), (second_day, "second")]):
            held[kind] = getattr(self, f"_{kind}")(copil if kind == "copil" else cotech, on)
        actions = held["first"]
        self.follow_up(
            actions["criterion"],
            "ecologie",
            CorrectiveStatus.DONE,
            "Critère type publié dans la bibliothèque de clauses ; repris dans trois consultations.",
        )
        self.follow_up(
            held["second"],
            "insertion",
            CorrectiveStatus.IN_PROGRESS,
            "Deux réunions de sourçage tenues avec le facilitateur ; la troisième est planifiée.",
        )
        self.plan(cotech, dates["next_cotech"], COTECH_AGENDA)
        next_copil = dates["next_copil"]
        validates = next_copil.month == 12
        self.plan(
            copil,
            next_copil,
            COPIL_AGENDA,
            validates_annual_review=validates,
            annual_review_year=next_copil.year if validates else None,
        )
        return (
            f"COTECH tenus le {first_day:%d/%m/%Y} et le {second_day:%d/%m/%Y}, COPIL tenu le "
            f"{copil_day:%d/%m/%Y} (dossiers figés) ; prochain COTECH le {dates['next_cotech']:%d/%m/%Y}, "
            f"prochain COPIL le {next_copil:%d/%m/%Y} ; 3 actions correctives"
        )

    def _copil(self, committee: Committee, on: date):
        # December's COPIL validates its year's review; June's looks back at the previous year (the demo's
        # December COPIL of that year predates Spaser): either way the held COPIL validates a review, so the
        # pilot can publish that year's annual report.
        review_year = on.year if on.month == 12 else on.year - 1
        meeting = self.plan(
            committee, on, COPIL_AGENDA, validates_annual_review=True, annual_review_year=review_year
        )
        meeting = self.hold(
            meeting,
            absent={"Olivier Bernard": (AttendanceStatus.REPRESENTED, "représenté par Mehdi Saïdi")},
            minutes="Le comité a examiné la trajectoire de chaque axe et les tableaux de bord des "
            "directions. Il demande un effort particulier sur les considérations sociales des marchés de "
            "travaux et confie au COTECH le suivi mensuel des actions correctives.",
        )
        self.decide(
            meeting,
            "Les marchés de travaux de plus d'un million d'euros comportent une clause d'insertion ; la "
            "DIEESS est saisie dès la définition du besoin.",
            indicator="S1",
            direction="dieess",
        )
        self.decide(
            meeting,
            "Le COTECH présente à chaque COPIL le suivi des actions correctives.",
        )
        self.decide(
            meeting,
            f"Le COPIL valide la revue annuelle {review_year} du schéma et en autorise la publication : "
            "rapport annuel, page publique et données ouvertes.",
        )
        return meeting

    def _first(self, committee: Committee, on: date) -> dict:
        meeting = self.hold(
            self.plan(committee, on, COTECH_AGENDA),
            absent={
                "Julien Petit": (AttendanceStatus.EXCUSED, ""),
                "Awa Diallo": (AttendanceStatus.REPRESENTED, "représentée par son adjointe"),
            },
            minutes="Les considérations environnementales des marchés de fournitures restent en deçà de la "
            "cible ; plusieurs marchés de restauration scolaire arrivent à échéance sans revue du besoin.",
        )
        decision = self.decide(
            meeting,
            "Un critère environnemental type est proposé pour les marchés de fournitures courantes.",
            indicator="E1",
            direction="dter",
        )
        criterion = self.action(
            meeting,
            decision,
            title="Proposer un critère environnemental type pour les fournitures courantes",
            owner="dter",
            due=on + timedelta(days=30),
            effect="Plus de marchés de fournitures avec une considération environnementale (E1).",
            indicator="E1",
        )
        renewals = self.decide(
            meeting,
            "Les marchés de restauration des collèges arrivant à échéance passent en revue du juste besoin.",
            direction="colleges",
        )
        overdue = self.action(
            meeting,
            renewals,
            title="Ouvrir les revues du juste besoin des marchés de restauration des collèges",
            owner="colleges",
            due=on + timedelta(days=14),
            effect="Aucun renouvellement sans revue du besoin (T1).",
            indicator="T1",
        )
        return {"meeting": meeting, "criterion": criterion, "overdue": overdue}

    def _second(self, committee: Committee, on: date):
        meeting = self.hold(
            self.plan(committee, on, COTECH_AGENDA),
            absent={"Marc Lemoine": (AttendanceStatus.EXCUSED, "")},
            minutes="La revue des marchés de restauration n'est pas engagée : l'action reste ouverte. Le "
            "sourçage des structures d'insertion est lancé pour les lots de second œuvre.",
        )
        decision = self.decide(
            meeting,
            "La DIEESS accompagne la DBL dans le sourçage des structures d'insertion avant les prochaines "
            "consultations de second œuvre.",
            indicator="S3a",
            direction="batiments",
        )
        return self.action(
            meeting,
            decision,
            title="Accompagner la DBL dans le sourçage SIAE des lots de second œuvre",
            owner="dieess",
            due=on + timedelta(days=75),
            effect="Des clauses d'insertion dans les lots de second œuvre (S3a).",
            indicator="S3a",
        )


def recompute_meetings_indicators(scheme: Scheme, today: date | None = None) -> dict[str, int]:
    """T5b (and any indicator counting the meetings) once the meetings are recorded."""
    indicators = [
        indicator
        for indicator in scheme.indicators().computed().select_related("commitment__axis__scheme")
        if indicator.method == "objects" and indicator.params.get("object") == "meetings"
    ]
    figures = compute_scheme(
        indicators=indicators,
        scopes=organisation_scopes(scheme.organisation, mutualised=scheme.mutualised),
        years=default_years(scheme, today),
        scheme=scheme,
        today=today,
    )
    return store_figures(figures)


def load_demo_governance(scheme: Scheme, *, today: date | None = None) -> str:
    """The committees and meetings of the demo, once (a later load leaves them as the users made them)."""
    organisation = scheme.organisation
    if Committee.objects.filter(organisation=organisation).exists():
        return "comités déjà présents (laissés tels quels)"
    today = today or timezone.localdate()
    summary = DemoGovernance(organisation, scheme, today).load()
    counts = recompute_meetings_indicators(scheme, today)
    return (
        f"{summary} ; comités tenus (T5b) : {counts['created']} valeurs créées, {counts['updated']} mises à "
        "jour"
    )
