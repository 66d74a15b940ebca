"""Attribution of contracts to directions by rules (see AttributionRule).

DECP does not say which direction bought (domain.md §5 rule 6): attribution comes from rules, imports or a
manual choice. Rules never override an import or a manual choice.
"""

import unicodedata

from django.db import transaction

from spaser.organisations.models import Organisation

from .models import AttributionRule, AttributionSource, Contract


def _fold(text: str) -> str:
    """Case- and accent-insensitive text, so « Collège » matches « college »."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def rule_matches(rule: AttributionRule, contract: Contract) -> bool:
    if rule.cpv_prefix and not contract.cpv.startswith(rule.cpv_prefix):
        return False
    if rule.buyer_siret and contract.buyer_siret != rule.buyer_siret:
        return False
    if rule.keyword and _fold(rule.keyword) not in _fold(contract.object):
        return False
    if rule.min_amount is not None and (contract.amount is None or contract.amount < rule.min_amount):
        return False
    return not (
        rule.max_amount is not None and (contract.amount is None or contract.amount > rule.max_amount)
    )


def _rank(rule: AttributionRule) -> tuple:
    conditions = sum(bool(x) for x in (rule.cpv_prefix, rule.buyer_siret, rule.keyword)) + sum(
        x is not None for x in (rule.min_amount, rule.max_amount)
    )
    return (rule.priority, -len(rule.cpv_prefix), -conditions, rule.pk or 0)


def matching_direction_id(contract: Contract, rules: list[AttributionRule]) -> int | None:
    """The direction of the best matching rule: lowest priority number, then longest CPV prefix, then the
    most conditions, then the oldest rule."""
    matching = [rule for rule in rules if rule_matches(rule, contract)]
    return min(matching, key=_rank).direction_id if matching else None


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
    for contract in contracts.only(
        "pk", "cpv", "buyer_siret", "object", "amount", "direction_id", "direction_source"
    ):
        direction_id = matching_direction_id(contract, rules)
        source = AttributionSource.RULE if direction_id else AttributionSource.NONE
        if (contract.direction_id, contract.direction_source) != (direction_id, source):
            contract.direction_id, contract.direction_source = direction_id, source
            changed.append(contract)
    Contract.objects.bulk_update(changed, ["direction", "direction_source"], batch_size=500)
    return len(changed)
