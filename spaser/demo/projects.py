"""The purchase process of the demo: referral rules and clause library (the defaults), a dozen purchase
projects across every stage, renewal reviews of the demo contracts, and the renewal radar of today.

Everything goes through the real services (projects.services, reviews, advising, workflow; renewals.services;
the register import), as the demo accounts would. The services stamp « now »: the dates of what happened in
2024-2026 (decisions, advice, stage changes, launches) are set afterwards, so that the indicators T1-T4, E4
and E8 have values for those years. The radar depends on today: the renewal deadlines of a few contracts and
two small contracts of the internal register (under the DECP threshold) are dated relative to the day the
demo is loaded, so that the radar always shows contracts due, one overdue and one renewed without review.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from spaser.contracts.end_dates import add_months
from spaser.contracts.models import Contract, ContractOrigin
from spaser.organisations.models import Organisation
from spaser.organisations.selectors import membership_for
from spaser.projects import advising, reviews, services, workflow
from spaser.projects.defaults import seed_defaults
from spaser.projects.models import Advice, AdviceStatus, NeedReview, Outcome, Project, Transition
from spaser.projects.stages import ORDER, Stage
from spaser.registers.services import import_register
from spaser.renewals import services as renewal_services
from spaser.renewals.models import Decision, RenewalReview

from .generator import DEMO_BUYER_SIRET

PARIS = ZoneInfo("Europe/Paris")
REGISTER_LABEL = "Registre des marchés de la DCAP (démonstration)"
REGISTER_FILE = "registre-des-marches-demonstration.csv"
# Which demo account writes each resource direction's advice (the pilot belongs to the DCAP).
ADVISERS = {"dter": "ecologie", "dieess": "insertion", "dcap": "pilote"}
RECOMMENDATIONS = {
    "dter": {"env_clause": True, "env_criterion": True, "env_criterion_weight": 15},
    "dieess": {"insertion_clause": True, "sourcing": True,
               "sourcing_notes": "Rencontrer les SIAE du territoire avec le facilitateur."},
    "dcap": {"sme_lots": True, "social_criterion": False},
}  # fmt: skip
COMMENTS = {
    "dter": "Clause de performance environnementale et critère environnemental (coût du cycle de vie).",
    "dieess": "Clause d'insertion de 5 % des heures travaillées ; sourçage SIAE avant la consultation.",
    "dcap": "Allotir par secteur pour ouvrir le marché aux PME ; procédure formalisée.",
}
REVIEW_ANSWERS = ("a_still_needed", "a_can_reduce", "b_use_existing", "c_environment", "c_social", "c_sme")


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS)


@dataclass(frozen=True)
class Story:
    """One demo project: what it is, how far it went and when (dates, or days before today)."""

    account: str  # who created it: the direction's referent, else the pilot
    direction: str
    title: str
    cpv: str
    nature: str
    amount: int
    months: int
    stage: str
    created: date | int
    outcome: str = Outcome.PENDING
    avoided: int | None = None
    justification: str = ""
    carbon: str = "unknown"  # answer to c_carbon_energy
    reviewed: date | int | None = None
    launched: date | int | None = None
    notified: date | int | None = None
    closed: date | int | None = None
    considerations: dict = field(default_factory=dict)
    derogation: str = ""
    advice: str = "given"  # given | pending | overdue | override
    contract: tuple[str, int] | None = None  # (CPV, notification year) of the contract produced
    renews: tuple[str, int] | None = None  # (CPV, year of its end) of the contract renewed
    comment: str = ""  # abandon reason
    late_referral: tuple[str, str] | None = None  # (resource direction, stage): the pilot refers it later


CONFORMING = {"env_clause": True, "env_criterion": True, "env_criterion_weight": 20, "social_clause": True}

STORIES = (
    Story("batiments", "batiments", "Rénovation énergétique du collège Jean-Jaurès à Pantin", "45214200",
          "works", 2_400_000, 18, Stage.EXECUTION, date(2024, 1, 15), Outcome.BUY, None,
          "Besoin confirmé : le bâtiment dépasse de 60 % l'objectif du décret tertiaire.", "yes",
          date(2024, 2, 20), date(2024, 5, 13), date(2024, 9, 2), contract=("45214200", 2024),
          considerations=CONFORMING | {"insertion_hours": 3500}),
    Story("pilote", "numerique", "Ordinateurs portables pour les collégiens — rentrée 2024", "30213100",
          "supplies", 1_100_000, 48, Stage.EXECUTION, date(2024, 2, 5), Outcome.RENT, 150_000,
          "Location avec maintenance et reprise en fin de contrat plutôt qu'achat : parc renouvelé sans "
          "stock à gérer.", "yes", date(2024, 4, 2), date(2024, 6, 10), date(2024, 10, 1),
          contract=("30213100", 2024), considerations={"env_clause": True, "env_criterion": True,
                                                       "env_criterion_weight": 25}),
    Story("batiments", "batiments", "Fourniture d'électricité des bâtiments départementaux", "09310000",
          "supplies", 2_400_000, 12, Stage.CLOSING, date(2024, 1, 8), Outcome.POOL, 90_000,
          "Groupement de commandes avec la centrale d'achat régionale.", "no", date(2024, 1, 30),
          date(2024, 3, 4), date(2024, 6, 3), date(2025, 7, 1), contract=("09310000", 2024),
          considerations={"env_clause": True, "env_criterion": False}),
    Story("batiments", "batiments", "Nettoyage des bâtiments départementaux — secteur 3", "90911200",
          "services", 1_200_000, 36, Stage.EXECUTION, date(2024, 9, 2), Outcome.REDUCE, 180_000,
          "Fréquences adaptées à l'occupation réelle des locaux (télétravail) : -15 % d'heures.", "no",
          date(2024, 10, 14), date(2025, 1, 13), date(2025, 4, 7), contract=("90911200", 2025),
          renews=("90911200", 2025), considerations=CONFORMING | {"insertion_hours": 2800}),
    Story("colleges", "colleges", "Mobilier scolaire pour les collèges — secteur 2", "39160000",
          "supplies", 180_000, 24, Stage.NOTIFICATION, date(2025, 1, 20), Outcome.REUSE, 60_000,
          "Un tiers du besoin couvert par le mobilier réemployé de la plateforme départementale.", "yes",
          date(2025, 3, 3), date(2025, 6, 2), date(2025, 9, 15),
          considerations={"env_clause": True, "env_criterion": True, "env_criterion_weight": 30,
                          "reserved_lot": True}, late_referral=("dieess", Stage.STRATEGY)),
    Story("pilote", "dcap", "Véhicules électriques de service — secteur 1", "34144900", "supplies",
          350_000, 48, Stage.EXECUTION, date(2025, 3, 10), Outcome.POOL, 120_000,
          "Autopartage entre directions : 8 véhicules au lieu de 14.", "unknown", date(2025, 5, 12),
          date(2025, 9, 8), date(2025, 12, 1), contract=("34144900", 2025),
          considerations={"env_clause": True, "env_criterion": True, "env_criterion_weight": 20}),
    Story("pilote", "dcap", "Conseil et achat d'espaces publicitaires", "79341000", "services", 140_000,
          12, Stage.ABANDONED, date(2025, 1, 6), Outcome.STOP, 140_000,
          "Campagnes réalisées en interne par la direction de la communication.", "no",
          date(2025, 2, 10), comment="Revue du besoin : l'achat n'aura pas lieu (campagnes en interne)."),
    Story("colleges", "colleges", "Restauration scolaire du collège Henri-Wallon à Aubervilliers",
          "55524000", "services", 900_000, 48, Stage.AWARD, date(2026, 3, 2), Outcome.BUY, None,
          "Besoin confirmé ; produits durables et biologiques au-delà d'EGalim.", "yes",
          date(2026, 4, 14), date(2026, 9, 15), considerations=CONFORMING | {"insertion_hours": 1200}),
    Story("pilote", "voirie",
          "Maintenance de l'éclairage public des routes départementales — secteur 2", "45316110", "works",
          520_000, 36, Stage.AWARD, date(2026, 4, 6), Outcome.BUY, None,
          "Maintenance indispensable à la sécurité des usagers.", "no", date(2026, 5, 18),
          date(2026, 10, 6), considerations={"env_clause": True, "env_criterion": False},
          derogation="Marché de maintenance à bons de commande sur un parc existant : aucun critère "
          "environnemental ne départage les offres (motif validé par la DCAP)."),
    Story("pilote", "numerique", "Tierce maintenance applicative — secteur 1", "72000000", "services",
          420_000, 36, Stage.AWARD, date(2026, 5, 4), Outcome.BUY, None,
          "Applications métier à maintenir jusqu'à leur remplacement.", "yes", date(2026, 6, 15),
          date(2026, 11, 3), advice="override", considerations=CONFORMING),
    Story("pilote", "nature", "Entretien des espaces verts du parc Georges-Valbon", "77310000",
          "services", 480_000, 36, Stage.DOCUMENTS, 120, Outcome.BUY, None,
          "Besoin confirmé ; gestion différenciée et écopâturage étudiés.", "yes", 90, advice="overdue"),
    Story("pilote", "social", "Accueil et hébergement de mineurs non accompagnés — secteur 2", "85311000",
          "services", 850_000, 36, Stage.STRATEGY, 75, Outcome.BUY, None,
          "Obligation légale de mise à l'abri.", "unknown", 50, advice="pending"),
    Story("pilote", "social", "Actions de formation des allocataires du RSA — secteur 4", "80500000",
          "services", 210_000, 24, Stage.SOURCING, 40, Outcome.REDUCE, 40_000,
          "Parcours mutualisés avec France Travail pour une partie des allocataires.", "unknown", 20,
          advice="pending"),
    Story("batiments", "batiments", "Réfection de la couverture du collège Jean-Moulin au Blanc-Mesnil",
          "45261000", "works", 320_000, 8, Stage.NEED, 12, advice="pending"),
)  # fmt: skip


class DemoPurchases:
    def __init__(self, organisation: Organisation, folder: Path, today: date):
        self.organisation, self.folder, self.today = organisation, folder, today
        self.directions = {d.slug: d for d in organisation.directions.all()}
        accounts = {"pilote", "batiments", "colleges", *ADVISERS.values()}
        self.users = {u.username: u for u in get_user_model().objects.filter(username__in=accounts)}
        self.members = {name: membership_for(user, organisation) for name, user in self.users.items()}
        self.contracts = Contract.objects.for_organisation(organisation).marches()
        self.used: set[int] = set()

    def day(self, value: date | int | None) -> date | None:
        if value is None or isinstance(value, date):
            return value
        return self.today - timedelta(days=value)

    def as_user(self, name: str) -> dict:
        return {"membership": self.members[name], "user": self.users[name]}

    # -- the register: renewal deadlines and small contracts dated from today ---------------------------

    def register(self) -> str:
        long_running = list(
            self.contracts.filter(end_date__gt=add_months(self.today, 14), renewal_deadline__isnull=True)
            .exclude(direction__isnull=True)
            .order_by("notification_date", "uid")[:7]
        )
        offsets = (-20, 25, 50, 80, 130, 210, 300)  # days from today: one overdue, six due within 12 months
        rows = [[c.uid, "", "", "", "", "", "", self.today + timedelta(days=d)]
                for c, d in zip(long_running, offsets, strict=False)]  # fmt: skip
        # Two small contracts (under the DECP threshold, in the register only): the first ended a month ago
        # and was relaunched without a review of the need — the radar flags it.
        first_notified = add_months(self.today, -13)
        rows.append([f"{DEMO_BUYER_SIRET}REG-{first_notified.year}-014",
                     "Maintenance des portails et barrières automatiques des collèges", "colleges",
                     first_notified, 12, "36000", "50711000", ""])  # fmt: skip
        relaunched = self.today - timedelta(days=12)
        rows.append([f"{DEMO_BUYER_SIRET}REG-{relaunched.year}-031",
                     "Maintenance des portails et barrières automatiques des collèges (relance)", "colleges",
                     relaunched, 12, "38500", "50711000", ""])  # fmt: skip
        out = io.StringIO(newline="")
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(["Identifiant national", "Objet", "Direction", "Date de notification", "Durée (mois)",
                         "Montant notifié", "Code CPV", "Date limite de reconduction"])  # fmt: skip
        for row in rows:
            writer.writerow([v.strftime("%d/%m/%Y") if isinstance(v, date) else v for v in row])
        path = self.folder / REGISTER_FILE
        path.write_text(out.getvalue(), encoding="utf-8")
        result = import_register(path=path, organisation=self.organisation, source_label=REGISTER_LABEL)
        # Reviews opened for the three nearest deadlines (the nearest one already decided), and for one in
        # six of the other contracts due within 12 months.
        upcoming = self.contracts.filter(
            renewal_deadline__isnull=True, end_date__gte=self.today, end_date__lt=add_months(self.today, 12)
        ).order_by("end_date", "uid")
        for contract in list(upcoming)[::6]:
            renewal_services.review_start(contract=contract, **self.as_user("pilote"))
        due = sorted((c for c, d in zip(long_running, offsets, strict=False) if d > 0),
                     key=lambda c: c.uid)  # fmt: skip
        for number, contract in enumerate(due[:3]):
            contract.refresh_from_db()
            review = renewal_services.review_start(contract=contract, **self.as_user("pilote"))
            if number == 0:
                renewal_services.review_decide(
                    review=review, **self.as_user("pilote"), decision=Decision.RENEW,
                    justification="Prestation toujours nécessaire, prix révisés à la baisse.",
                )  # fmt: skip
        return f"{result.read} lignes lues, {result.created} créées, {result.updated} mises à jour"

    # -- renewal reviews: one contract ending in 3 in 2024, 1 in 4 in 2025, 1 in 3 from 2026 ---------------

    def renewal_reviews(self) -> int:
        cycle = (
            (Decision.RENEW, 0),
            (Decision.MODIFY, 10),
            (Decision.RENEW, 0),
            (Decision.POOL, 15),
            (Decision.RENEW, 0),
            (Decision.RENT, 20),
            (Decision.STOP, 100),
            (Decision.REUSE, 25),
        )
        count = 0
        # From 2026 the reviews are part of the process (step 5 of the plan): those decided by today.
        running = [(year, 3) for year in range(2026, self.today.year + 1)]
        for year, step in ((2024, 3), (2025, 4), *running):
            # The register's small contracts keep their story (one relaunched without a review, flagged).
            ending = (
                self.contracts.filter(
                    renewal_deadline__isnull=True,
                    end_date__year=year,
                    end_date__lte=self.today + timedelta(days=45),
                )
                .exclude(origin=ContractOrigin.REGISTER)
                .order_by("end_date", "uid")
            )
            for index, contract in enumerate(list(ending)[::step]):
                decision, share = cycle[index % len(cycle)]
                review = renewal_services.review_start(contract=contract, **self.as_user("pilote"))
                avoided = None
                if share and contract.amount and index % 5:  # now and then an amount not estimated
                    avoided = (contract.amount * share / 100).quantize(Decimal("1"))
                renewal_services.review_update(
                    review=review, **self.as_user("pilote"), decision=decision, avoided_amount=avoided,
                    answers={key: {"answer": "yes", "comment": ""} for key in REVIEW_ANSWERS},
                    justification=f"Revue du besoin menée avec la direction ({Decision(decision).label}).",
                )  # fmt: skip
                decided = _at(contract.end_date - timedelta(days=45))
                RenewalReview.objects.filter(pk=review.pk).update(
                    reviewed_at=decided, created_at=decided - timedelta(days=20)
                )
                count += 1
        return count

    # -- purchase projects ------------------------------------------------------------------------------

    def contract_for(self, cpv: str, year: int, *, ending: bool = False) -> Contract:
        found = self.contracts.filter(cpv=cpv).exclude(pk__in=self.used)
        found = found.filter(end_date__year=year) if ending else found.filter(notification_year=year)
        contract = found.order_by("notification_date", "uid").first()
        if contract is None:
            raise LookupError(f"Démonstration : aucun marché CPV {cpv} pour {year}.")
        self.used.add(contract.pk)
        return contract

    def milestones(self, story: Story) -> dict[str, date]:
        """When the project reached each stage it reached."""
        reviewed = self.day(story.reviewed) or self.day(story.created)
        launched = self.day(story.launched)
        notified = self.day(story.notified)
        target = ORDER.index(story.stage) if story.stage in ORDER else 0
        middle = launched or (self.today - timedelta(days=3))
        span = (middle - reviewed).days
        dates = {
            Stage.SOURCING: reviewed + timedelta(days=1),
            Stage.STRATEGY: reviewed + timedelta(days=max(2, span // 3)),
            Stage.DOCUMENTS: reviewed + timedelta(days=max(3, 2 * span // 3)),
        }
        if launched:
            dates[Stage.AWARD] = launched
        if notified:
            dates[Stage.NOTIFICATION] = notified
            dates[Stage.EXECUTION] = notified + timedelta(days=20)
        if story.closed:
            dates[Stage.CLOSING] = self.day(story.closed)
        return {stage: dates[stage] for stage in ORDER[1 : target + 1]}

    def project(self, story: Story) -> Project:
        owner = self.as_user(story.account)
        created = self.day(story.created)
        fields = {
            "title": story.title,
            "cpv": story.cpv,
            "nature": story.nature,
            "estimated_amount": Decimal(story.amount),
            "duration_months": story.months,
            "planned_launch_date": self.day(story.launched) or self.today + timedelta(days=90),
        }
        if story.renews:
            fields["renewed_contract"] = self.contract_for(*story.renews, ending=True)
        project = services.project_create(
            organisation=self.organisation, direction=self.directions[story.direction], **owner, **fields
        )
        changes = {"created_at": _at(created)}
        if created.year != self.today.year:  # the reference says the year the need was expressed
            changes["reference"] = services.next_reference(self.organisation, created.year)
        Project.objects.filter(pk=project.pk).update(**changes)
        project.refresh_from_db()

        if story.outcome != Outcome.PENDING:
            answers = {key: {"answer": "yes", "comment": ""} for key in REVIEW_ANSWERS}
            answers["c_carbon_energy"] = {"answer": story.carbon, "comment": ""}
            reviews.review_update(
                project=project, **owner, answers=answers, outcome=story.outcome,
                justification=story.justification,
                avoided_amount=None if story.avoided is None else Decimal(story.avoided),
            )  # fmt: skip
            NeedReview.objects.filter(project=project).update(reviewed_at=_at(self.day(story.reviewed)))
        self.advise(project, story, created)

        if story.stage == Stage.ABANDONED:
            transition = workflow.move(
                project=project, to_stage=Stage.ABANDONED, comment=story.comment, **owner
            )
            Transition.objects.filter(pk=transition.pk).update(at=_at(self.day(story.reviewed), 15))
            return project
        for stage, day in self.milestones(story).items():
            if stage == Stage.DOCUMENTS and story.considerations:
                services.project_update(
                    project=project,
                    membership=owner["membership"],
                    climate_derogation=story.derogation,
                    **story.considerations,
                )
            if stage == Stage.AWARD:
                Project.objects.filter(pk=project.pk).update(launched_on=day)  # the real launch date
                project.refresh_from_db()
                if story.advice == "override":
                    workflow.override_advices(
                        project=project, **self.as_user("pilote"),
                        reason="Le marché en cours prend fin avant l'avis de la DCAP : consultation lancée "
                        "sans attendre, allotissement revu avec la DCAP à l'attribution.",
                    )  # fmt: skip
                    Project.objects.filter(pk=project.pk).update(advice_override_at=_at(day, 9))
            if stage == Stage.EXECUTION:
                services.project_link_contracts(project=project, membership=owner["membership"],
                                                contracts=[self.contract_for(*story.contract)])  # fmt: skip
            transition = workflow.move(project=project, to_stage=stage, **owner)
            Transition.objects.filter(pk=transition.pk).update(at=_at(day, 11))
            if story.late_referral and story.late_referral[1] == stage:
                self.refer_late(project, story.late_referral[0], day)
        return project

    def refer_late(self, project: Project, slug: str, day: date) -> None:
        """The pilot asks one more resource direction's advice at this stage; it is given a week later."""
        advice = advising.advice_request(
            project=project, direction=self.directions[slug], **self.as_user("pilote")
        )
        advising.advice_update(advice=advice, **self.as_user(ADVISERS[slug]), status=AdviceStatus.GIVEN,
                               comment=COMMENTS[slug], **RECOMMENDATIONS[slug])  # fmt: skip
        Advice.objects.filter(pk=advice.pk).update(
            created_at=_at(day, 14), deadline=day + timedelta(days=15), given_at=_at(day + timedelta(days=7))
        )

    def advise(self, project: Project, story: Story, created: date) -> None:
        """Give, or leave pending, the advice the referral rules asked."""
        advices = list(project.advices.select_related("resource_direction"))
        reviewed = self.day(story.reviewed) or created
        for number, advice in enumerate(advices):
            slug = advice.resource_direction.slug
            pending = story.advice in ("pending", "overdue") and number == len(advices) - 1
            if story.advice == "override" and slug == "dcap":
                pending = True
            asked = created + timedelta(days=2)
            deadline = asked + timedelta(days=15)
            if story.advice == "overdue" and pending:
                deadline = self.today - timedelta(days=6)
            elif pending and deadline < self.today:
                deadline = self.today + timedelta(days=10)
            if not pending:
                advising.advice_update(advice=advice, **self.as_user(ADVISERS.get(slug, "pilote")),
                                       status=AdviceStatus.GIVEN, comment=COMMENTS.get(slug, ""),
                                       **RECOMMENDATIONS.get(slug, {}))  # fmt: skip
            given = min(reviewed + timedelta(days=10 + 3 * number), self.today - timedelta(days=1))
            Advice.objects.filter(pk=advice.pk).update(
                created_at=_at(asked), deadline=deadline, given_at=None if pending else _at(given, 16)
            )


@transaction.atomic  # one transaction: all or nothing, and one commit instead of one per service call
def load_demo_purchases(organisation: Organisation, folder: Path, *, today: date | None = None) -> str:
    """Referral rules and clause library (defaults), then, once, the register, the renewal reviews and the
    projects of the demo (a later load leaves them as the users made them)."""
    directions = {d.slug: d for d in organisation.directions.all()}
    rules, clauses = seed_defaults(
        organisation,
        environment=directions["dter"],
        insertion=directions["dieess"],
        purchasing=directions["dcap"],
    )
    defaults = f"règles de saisine et bibliothèque de clauses par défaut : {rules} + {clauses} créées"
    if (
        Project.objects.filter(organisation=organisation).exists()
        or RenewalReview.objects.for_organisation(organisation).exists()
    ):
        return f"{defaults} ; projets et revues déjà présents (laissés tels quels)"
    demo = DemoPurchases(organisation, folder, today or timezone.localdate())
    register = demo.register()
    renewals = demo.renewal_reviews()
    projects = [demo.project(story) for story in STORIES]
    return (
        f"{defaults} ; registre des marchés : {register} ; {renewals} revues de renouvellement décidées ; "
        f"{len(projects)} projets d'achat"
    )
