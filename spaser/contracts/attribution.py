"""Attribution of contracts to directions: by rules (see AttributionRule), and the manual choice.

DECP does not say which direction bought (domain.md §5 rule 6): attribution comes from rules, imports or a
manual choice. Rules never override an import or a manual choice; « revenir aux règles » clears a manual
choice and applies the rules again.
"""

import logging
import unicodedata
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction

from spaser.contracts.signals import notify_contracts_changed
from spaser.organisations.models import Direction, Organisation

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


def matching_rule(contract: Contract, rules: list[AttributionRule]) -> AttributionRule | None:
    """The best matching rule: lowest priority number, then longest CPV prefix, then the most conditions,
    then the oldest rule."""
    matching = [rule for rule in rules if rule_matches(rule, contract)]
    return min(matching, key=_rank) if matching else None


def matching_direction_id(contract: Contract, rules: list[AttributionRule]) -> int | None:
    rule = matching_rule(contract, rules)
    return rule.direction_id if rule else None


RULE_FIELDS = ("pk", "cpv", "buyer_siret", "object", "amount", "direction_id", "direction_source")


def rule_contract_counts(*, organisation: Organisation, rules: list[AttributionRule]) -> Counter:
    """How many contracts of the perimeter each rule attributes now (rule pk → count): among the contracts
    rules may attribute (not imported, not chosen by hand), those for which the rule wins. Matching runs in
    Python (keywords are accent-insensitive), one pass over the perimeter."""
    counts: Counter = Counter()
    if not rules:
        return counts
    contracts = Contract.objects.for_organisation(organisation).filter(
        direction_source__in=[AttributionSource.NONE, AttributionSource.RULE]
    )
    for contract in contracts.only(*RULE_FIELDS).iterator(chunk_size=2000):
        rule = matching_rule(contract, rules)
        if rule is not None:
            counts[rule.pk] += 1
    return counts


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
    for contract in contracts.only(*RULE_FIELDS):
        direction_id = matching_direction_id(contract, rules)
        source = AttributionSource.RULE if direction_id else AttributionSource.NONE
        if (contract.direction_id, contract.direction_source) != (direction_id, source):
            contract.direction_id, contract.direction_source = direction_id, source
            changed.append(contract)
    Contract.objects.bulk_update(changed, ["direction", "direction_source"], batch_size=500)
    if changed:
        notify_contracts_changed([organisation.pk])
    return len(changed)


logger = logging.getLogger(__name__)


def set_manual_direction(*, contract: Contract, direction: Direction, user) -> Contract:
    """Attribute `contract` to `direction` by hand: rules and imports no longer change it."""
    if not Contract.objects.filter(pk=contract.pk).filter(direction.organisation.buyer_filter()).exists():
        raise ValidationError(
            f"La direction « {direction} » n'appartient pas à une organisation dont le périmètre contient "
            f"le marché {contract.uid}."
        )
    contract.direction, contract.direction_source = direction, AttributionSource.MANUAL
    contract.save(update_fields=["direction", "direction_source", "updated_at"])
    notify_contracts_changed([direction.organisation_id])
    logger.info("Marché %s attribué à la main à %s par %s", contract.uid, direction, user)
    return contract


@transaction.atomic
def clear_manual_direction(*, contract: Contract, user) -> Contract:
    """Forget the manual choice and apply the rules again (of every organisation whose perimeter holds the
    contract, as the importer does); the contract may end up unattributed."""
    if contract.direction_source != AttributionSource.MANUAL:
        return contract
    contract.direction, contract.direction_source = None, AttributionSource.NONE
    contract.save(update_fields=["direction", "direction_source", "updated_at"])
    for organisation in Organisation.objects.filter(attribution_rules__isnull=False).distinct():
        attribute_contracts(organisation=organisation, contract_ids=[contract.pk])
    contract.refresh_from_db(fields=["direction", "direction_source"])
    logger.info("Marché %s rendu aux règles d'attribution par %s", contract.uid, user)
    return contract
