"""Attribution of contracts to directions by CPV prefix rules.

DECP does not say which direction bought (domain.md §5 rule 6): attribution comes from rules, imports or a
manual choice. Rules never override an import or a manual choice; the longest matching prefix wins, then
the lowest priority number.
"""

from django.db import transaction

from spaser.organisations.models import Organisation

from .models import AttributionRule, AttributionSource, Contract


def matching_direction_id(cpv: str, rules: list[AttributionRule]) -> int | None:
    best = None
    for rule in rules:
        if cpv.startswith(rule.cpv_prefix) and (
            best is None
            or len(rule.cpv_prefix) > len(best.cpv_prefix)
            or (len(rule.cpv_prefix) == len(best.cpv_prefix) and rule.priority < best.priority)
        ):
            best = rule
    return best.direction_id if best else None


@transaction.atomic
def attribute_contracts(*, organisation: Organisation, contract_ids=None) -> int:
    """Apply the organisation's rules to its contracts (or to `contract_ids` among them); returns how many
    contracts changed direction."""
    rules = list(AttributionRule.objects.filter(organisation=organisation))
    contracts = Contract.objects.for_organisation(organisation).filter(
        direction_source__in=[AttributionSource.NONE, AttributionSource.RULE]
    )
    if contract_ids is not None:
        contracts = contracts.filter(pk__in=contract_ids)
    changed = []
    for contract in contracts.only("pk", "cpv", "direction_id", "direction_source"):
        direction_id = matching_direction_id(contract.cpv, rules)
        source = AttributionSource.RULE if direction_id else AttributionSource.NONE
        if (contract.direction_id, contract.direction_source) != (direction_id, source):
            contract.direction_id, contract.direction_source = direction_id, source
            changed.append(contract)
    Contract.objects.bulk_update(changed, ["direction", "direction_source"], batch_size=500)
    return len(changed)
