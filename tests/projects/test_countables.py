"""Indicators counted from purchase projects (T4, E4, E8) and from need reviews of projects and renewals
(T2): each measure on a small world, with unknowns kept apart from no, and the period matched on the
object's own date."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from spaser.contracts.models import Contract
from spaser.indicators.catalogue import CATALOGUE
from spaser.indicators.methods import METHODS, validate_definition
from spaser.indicators.objects import COUNTABLES
from spaser.indicators.periods import Period
from spaser.projects.models import Advice, AdviceStatus, NeedReview, Outcome, Project
from spaser.projects.stages import Stage
from spaser.renewals.models import Decision, RenewalReview
from tests.factories import BuyerFactory, DirectionFactory

from .conftest import make_project

PARIS = ZoneInfo("Europe/Paris")


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)


def measure(world, obj: str, name: str, period: Period, direction=None):
    return COUNTABLES[obj].compute(world.scheme, direction, period, name)


def launched(world, on: date, **fields) -> Project:
    project = make_project(world, **fields)
    Project.objects.filter(pk=project.pk).update(stage=Stage.AWARD, launched_on=on)
    project.refresh_from_db()
    return project


def answer(project: Project, value: str) -> None:
    review = project.need_review
    review.answers = {**review.answers, "c_carbon_energy": {"answer": value, "comment": ""}}
    review.save()


def advice(world, project, *, asked: datetime, status=AdviceStatus.REQUESTED, given: datetime | None = None,
           direction=None, stage=Stage.NEED) -> Advice:  # fmt: skip
    created = Advice.objects.create(
        project=project,
        resource_direction=direction or world.resource,
        status=status,
        given_at=given,
        stage_at_request=stage,
    )
    Advice.objects.filter(pk=created.pk).update(created_at=asked)  # auto_now_add stamps « now »
    return created


def test_every_catalogue_objects_indicator_names_a_registered_measure_with_its_unit():
    objects = [d for d in CATALOGUE if d.method == "objects"]
    assert {d.code for d in objects} >= {"T1", "T2", "T2b", "T3", "T4", "E4", "E8", "T5a"}
    for definition in objects:
        validate_definition(definition.method, definition.params)
        assert METHODS["objects"].unit_for(definition.params) == definition.unit, definition.code
        assert not definition.missing, definition.code


def test_t4_counts_advice_given_in_the_period_by_direction_and_stage(world):
    other_resource = DirectionFactory(
        organisation=world.organisation, resource=True, name="Direction de l'insertion", short_name="DIEESS"
    )
    first, second = make_project(world), make_project(world, title="Nettoyage des collèges")
    advice(world, first, asked=at(2024, 2, 1), status=AdviceStatus.GIVEN, given=at(2024, 3, 10))
    advice(world, second, asked=at(2024, 2, 1), status=AdviceStatus.GIVEN, given=at(2024, 6, 1),
           stage=Stage.STRATEGY)  # fmt: skip
    advice(world, first, asked=at(2024, 11, 5), direction=other_resource)  # still awaited
    not_needed = advice(world, second, asked=at(2024, 1, 5), direction=other_resource)
    Advice.objects.filter(pk=not_needed.pk).update(status=AdviceStatus.NOT_NEEDED)

    year = measure(world, "purchase_projects", "advised", Period(2024))
    assert (year.value, year.numerator, year.denominator, year.unknown) == (2, 2, 3, 0)
    assert year.details["par_direction_ressource"] == {"DTER": 2}
    assert year.details["par_etape_a_la_saisine"] == {
        Stage.NEED.label: 1,
        Stage.STRATEGY.label: 1,
    }
    assert year.details["avis_attendus_en_fin_de_periode"] == 1
    assert measure(world, "purchase_projects", "advised", Period(2024, "T1")).value == 1
    # The quarter after: nothing given, one advice asked before its end and awaited: 0, not « no data ».
    assert measure(world, "purchase_projects", "advised", Period(2024, "T4")).value == 0
    # Before anything was asked there is nothing to count: no data, never 0.
    assert measure(world, "purchase_projects", "advised", Period(2023)).value is None

    by_resource = measure(world, "purchase_projects", "advised", Period(2024), world.resource)
    assert (by_resource.value, by_resource.denominator) == (2, 2)
    by_other = measure(world, "purchase_projects", "advised", Period(2024), other_resource)
    assert (by_other.value, by_other.denominator) == (0, 1)
    by_prescribing = measure(world, "purchase_projects", "advised", Period(2024), world.prescribing)
    assert by_prescribing.value == 2  # the advice given on its projects
    elsewhere = DirectionFactory(organisation=world.organisation)
    assert measure(world, "purchase_projects", "advised", Period(2024), elsewhere).value is None


def test_t4_advice_given_late_counts_as_awaited_at_the_end_of_the_period(world):
    project = make_project(world)
    advice(world, project, asked=at(2024, 12, 1), status=AdviceStatus.GIVEN, given=at(2025, 1, 20))
    figure = measure(world, "purchase_projects", "advised", Period(2024))
    assert (figure.value, figure.denominator) == (0, 1)
    assert measure(world, "purchase_projects", "advised", Period(2025)).value == 1


def test_e4_conformity_of_consultations_launched_from_22_august_2026(world):
    small = {"estimated_amount": Decimal(90_000), "nature": "supplies", "cpv": "30213100"}
    launched(world, date(2026, 9, 1), env_clause=True, env_criterion=True, **small)  # conforming
    launched(world, date(2026, 9, 2), env_clause=True, env_criterion=False,
             climate_derogation="Urgence : aucun critère pertinent.", **small)  # fmt: skip
    launched(world, date(2026, 10, 1), env_clause=None, env_criterion=True, **small)  # undecided: unknown
    # Works above the EU threshold without a social clause: not conforming.
    launched(world, date(2026, 11, 3), env_clause=True, env_criterion=True, social_clause=False,
             estimated_amount=Decimal(6_000_000))  # fmt: skip
    launched(world, date(2026, 8, 21), env_clause=False, env_criterion=False, **small)  # before the law
    make_project(world, env_clause=True, env_criterion=True, planned_launch_date=date(2026, 9, 15))

    figure = measure(world, "purchase_projects", "climate_conforming_share", Period(2026))
    assert (figure.numerator, figure.denominator, figure.unknown) == (1, 4, 1)
    assert figure.value == Decimal("25.0000")
    assert figure.details == {
        "consultations_lancees": 4,
        "conformes": 1,
        "non_conformes": 2,  # the undecided one is not counted as no
        "dont_derogations": 1,
        "non_decidees": 1,
    }
    third = measure(world, "purchase_projects", "climate_conforming_share", Period(2026, "T3"))
    assert (third.numerator, third.denominator) == (1, 2)  # August 21 is before the law, not counted
    assert measure(world, "purchase_projects", "climate_conforming_share", Period(2025)).value is None
    assert measure(
        world, "purchase_projects", "climate_conforming_share", Period(2026), DirectionFactory(
            organisation=world.organisation)
    ).value is None  # fmt: skip


def test_e8_share_of_launched_projects_whose_review_covered_carbon(world):
    for value, on in (("yes", date(2024, 3, 1)), ("no", date(2024, 5, 1)), ("unknown", date(2024, 9, 1)),
                      ("yes", date(2025, 2, 1))):  # fmt: skip
        answer(launched(world, on), value)
    answer(make_project(world), "yes")  # not launched: not a consultation yet

    figure = measure(world, "purchase_projects", "carbon_reviewed_share", Period(2024))
    assert (figure.numerator, figure.denominator, figure.unknown) == (1, 3, 1)
    assert figure.value == Decimal("33.3333")
    assert figure.details == {
        "consultations_lancees": 3,
        "carbone_examine": 1,
        "non_examine": 1,
        "inconnu": 1,
    }
    assert measure(world, "purchase_projects", "carbon_reviewed_share", Period(2025)).value == 100
    first_half = measure(world, "purchase_projects", "carbon_reviewed_share", Period(2024, "S1"))
    assert (first_half.numerator, first_half.denominator, first_half.unknown) == (1, 2, 0)


def test_t2_counts_project_and_renewal_reviews_that_changed_the_need(world):
    buyer = BuyerFactory(organisation=world.organisation)

    def decided(outcome, amount, when, **project_fields):
        project = make_project(world, **project_fields)
        NeedReview.objects.filter(project=project).update(
            outcome=outcome, avoided_amount=amount, reviewed_at=when, justification="Revue menée."
        )

    decided(Outcome.REDUCE, Decimal(10_000), at(2024, 5, 2))
    decided(Outcome.STOP, None, at(2024, 7, 1))  # changed, amount unknown
    decided(Outcome.BUY, None, at(2024, 8, 1))  # decided, not changed
    decided(Outcome.POOL, Decimal(3_000), at(2025, 1, 10))  # another year
    make_project(world)  # review pending: not a decision

    def renewal(decision, amount, when, number, direction=None):
        contract = Contract.objects.create(
            uid=f"{buyer.identifier}R{number}", buyer_siret=buyer.identifier, contract_id=f"R{number}",
            object="Nettoyage", cpv="90911200", cpv_division="90", direction=direction or world.prescribing,
            source_format="test", raw={}, content_hash=str(number),
        )  # fmt: skip
        RenewalReview.objects.create(
            contract=contract, due_date=date(2024, 9, 30), decision=decision, avoided_amount=amount,
            reviewed_at=when, justification="Revue menée.",
        )  # fmt: skip

    renewal(Decision.POOL, Decimal(5_000), at(2024, 6, 3), 1)
    renewal(Decision.RENEW, None, at(2024, 6, 4), 2)
    renewal(Decision.STOP, Decimal(20_000), at(2024, 6, 5), 3, direction=world.resource)

    changed = measure(world, "need_reviews", "changed_needs", Period(2024))
    assert (changed.value, changed.numerator, changed.denominator, changed.unknown) == (4, 4, 6, 1)
    assert changed.details["montant_evite"] == "35000.00"
    assert changed.details["revues_de_projets"][Outcome.REDUCE.label] == 1
    assert changed.details["revues_de_projets"][Outcome.BUY.label] == 1
    assert changed.details["revues_de_renouvellement"][Decision.RENEW.label] == 1
    avoided = measure(world, "need_reviews", "avoided_amount", Period(2024))
    assert (avoided.value, avoided.denominator, avoided.unknown) == (Decimal(35_000), 6, 1)

    by_direction = measure(world, "need_reviews", "avoided_amount", Period(2024), world.prescribing)
    assert (by_direction.value, by_direction.denominator) == (Decimal(15_000), 5)
    assert measure(world, "need_reviews", "changed_needs", Period(2024, "T2"), world.prescribing).value == 2
    assert measure(world, "need_reviews", "changed_needs", Period(2025)).value == 1
    assert measure(world, "need_reviews", "avoided_amount", Period(2023)).value is None  # no decision


def test_an_unknown_measure_is_refused(world):
    for obj in ("purchase_projects", "need_reviews"):
        with pytest.raises(ValueError, match="Mesure inconnue"):
            measure(world, obj, "nonsense", Period(2024))
