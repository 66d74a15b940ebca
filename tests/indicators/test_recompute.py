"""Values follow the data: a committed import or attribution recomputes the indicators in the background
(huey runs tasks immediately under pytest), a rolled-back one (dry run) does not."""

from decimal import Decimal

import pytest

from spaser.contracts.attribution import set_manual_direction
from spaser.contracts.models import Contract
from spaser.contracts.services import import_decp_file
from spaser.indicators.models import IndicatorValue
from spaser.indicators.tasks import recompute_now
from spaser.organisations.models import Direction
from tests.contracts.test_decp_import_rules import record, write

# on_commit callbacks run only when tests really commit
pytestmark = pytest.mark.django_db(transaction=True)


def organisation_s1(year: int = 2024) -> IndicatorValue | None:
    return IndicatorValue.objects.filter(
        indicator__code="S1", year=year, period="A", scope="organisation"
    ).first()


def test_a_committed_import_recomputes_and_a_dry_run_does_not(perimeter, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    recompute_now(perimeter.organisation.pk)
    before = organisation_s1()
    assert (before.numerator, before.denominator) == (2, 5)
    path = write(
        tmp_path / "nouveaux.json",
        [
            record(
                f"N{n}",
                dateNotification="2024-05-02",
                considerationsSociales={"considerationSociale": ["Clause sociale"]},
            )
            | {"acheteur": {"id": "22930008201453"}}
            for n in range(3)
        ],
    )
    import_decp_file(path=path, validate_schema=False, dry_run=True)
    assert organisation_s1().denominator == 5
    summary = import_decp_file(path=path, validate_schema=False)
    assert summary.created == 3
    after = organisation_s1()
    assert (after.numerator, after.denominator) == (5, 8)
    assert after.value == Decimal("62.5000")


def test_a_manual_attribution_recomputes_the_direction(perimeter):
    recompute_now(perimeter.organisation.pk)
    direction = Direction.objects.get(slug="a")
    key = f"direction:{direction.slug}"
    assert IndicatorValue.objects.get(indicator__code="S1", year=2024, period="A", scope=key).denominator == 2
    contract = Contract.objects.get(uid="22930008201453C3")
    set_manual_direction(contract=contract, direction=direction, user=None)
    assert IndicatorValue.objects.get(indicator__code="S1", year=2024, period="A", scope=key).denominator == 3


def test_held_changes_are_announced_once_merged_or_not_at_all(perimeter):
    from spaser.contracts.signals import contracts_changed, held_changes, notify_contracts_changed

    sent = []

    def listen(sender, organisation_ids, **kwargs):
        sent.append(organisation_ids)

    contracts_changed.connect(listen)
    try:
        with held_changes():
            notify_contracts_changed([2])
            notify_contracts_changed([1, 2])
        assert sent == [[1, 2]]
        with held_changes():
            notify_contracts_changed([1])
            notify_contracts_changed()
        assert sent[-1] is None  # "any organisation" wins
        with held_changes(announce=False):
            notify_contracts_changed([1])
        assert len(sent) == 2
    finally:
        contracts_changed.disconnect(listen)
