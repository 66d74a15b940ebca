"""The purchase process of the demo (issue 5 « done when »): projects across every stage made through the real
services, reviews and advice given and pending, the renewal radar with contracts due, one overdue and one
renewal flagged, and the indicators T1-T4, E4, E8 computed from them."""

from datetime import date

import pytest
from django.utils import timezone

from spaser.contracts.end_dates import add_months
from spaser.indicators.models import IndicatorValue
from spaser.organisations.models import Organisation
from spaser.projects.models import CHANGED, Advice, AdviceStatus, Outcome, Project, ReferralRule, Transition
from spaser.projects.stages import ORDER, Stage
from spaser.renewals.models import Decision, RenewalReview
from spaser.renewals.selectors import radar_flags, radar_queryset


@pytest.fixture
def demo(demo_output):
    return Organisation.objects.get(siren="229300082"), demo_output


def value(code: str, year: int):
    return IndicatorValue.objects.get(indicator__code=code, year=year, period="A", scope="organisation")


def test_the_demo_follows_purchases_and_renewals(demo):
    organisation, output = demo
    today = timezone.localdate()
    assert "14 projets d'achat" in output
    assert ReferralRule.objects.filter(organisation=organisation).exists()  # the defaults, seeded

    projects = Project.objects.filter(organisation=organisation)
    assert set(projects.values_list("stage", flat=True)) == {*ORDER, Stage.ABANDONED}
    for project in projects.exclude(stage=Stage.NEED):
        review = project.need_review
        assert review.is_decided, project.reference
        assert review.reviewed_at, project.reference
        # every stage change recorded, in order, the last one to the current stage
        moves = list(project.transitions.order_by("at", "pk").values_list("to_stage", "at"))
        assert moves[-1][0] == project.stage
        assert [at for _stage, at in moves] == sorted(at for _stage, at in moves)
    assert projects.filter(stage=Stage.NEED, need_review__outcome=Outcome.PENDING).exists()
    outcomes = set(projects.values_list("need_review__outcome", flat=True))
    assert {Outcome.REDUCE, Outcome.POOL, Outcome.STOP} <= outcomes
    assert projects.filter(need_review__outcome__in=CHANGED, need_review__avoided_amount__gt=0).count() >= 4
    abandoned = projects.get(stage=Stage.ABANDONED)
    assert abandoned.need_review.outcome == Outcome.STOP
    assert Transition.objects.get(project=abandoned).comment

    advices = Advice.objects.filter(project__organisation=organisation)
    assert advices.filter(status=AdviceStatus.GIVEN, given_at__year=2024).exists()
    assert advices.open().filter(deadline__lt=today).count() == 1  # one overdue
    assert advices.open().filter(deadline__gte=today).exists()
    assert advices.exclude(stage_at_request=Stage.NEED).exists()  # a referral later in the process
    override = projects.exclude(advice_override_reason="")
    assert override.count() == 1
    assert override.get().is_launched
    assert override.get().advice_override_by

    launched_after_law = projects.filter(launched_on__gte=date(2026, 8, 22))
    assert launched_after_law.count() == 3
    assert launched_after_law.exclude(climate_derogation="").count() == 1
    for project in projects.filter(stage__in=[Stage.EXECUTION, Stage.CLOSING]):
        assert project.contracts.exists(), project.reference
    assert projects.filter(renewed_contract__isnull=False).exists()

    # The radar lists contracts due within 3, 6 and 12 months, overdue ones first; one renewal is flagged.
    for months in (3, 6, 12):
        due = radar_queryset(organisation, today=today, months=months).filter(due__gte=today)
        assert due.filter(due__lte=add_months(today, months)).exists(), months
    radar = radar_queryset(organisation, today=today)
    assert radar.first().overdue
    reviews = RenewalReview.objects.filter(due_date__gte=today)
    assert reviews.filter(decision=Decision.PENDING).exists()
    assert reviews.decided().exists()
    flags = radar_flags(organisation, direction=None, today=today)
    relaunch = [flag for flag in flags.values() if flag.contract.uid.endswith("-014")]
    assert len(relaunch) == 1
    assert relaunch[0].successor is not None

    # The indicators: T1-T4 and E8 have 2024 values, E4 a 2026 one (consultations from 22 August 2026).
    for code in ("T1", "T2", "T2b", "T3", "T4", "E8"):
        figure = value(code, 2024)
        assert figure.value is not None, code
        assert figure.value > 0, code
    assert value("T2", 2024).details["revues_de_projets"][Outcome.REDUCE.label] == 1
    assert value("T4", 2024).details["par_direction_ressource"].keys() == {"DCAP", "DIEESS", "DTER"}
    e4 = value("E4", 2026)
    assert (e4.numerator, e4.denominator) == (2, 3)
    assert e4.details["dont_derogations"] == 1
    assert value("E4", 2024).value is None
