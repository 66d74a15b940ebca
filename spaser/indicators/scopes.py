"""Perimeters an indicator is computed on: the organisation, each buyer of a joint scheme, each direction."""

from dataclasses import dataclass

from django.db.models import QuerySet

from spaser.contracts.models import Contract
from spaser.organisations.models import Direction, Organisation

from .models import ORGANISATION_SCOPE


@dataclass(frozen=True)
class Scope:
    key: str  # "organisation", "buyer:<SIREN or SIRET>" or "direction:<slug>"
    label: str
    contracts: QuerySet
    description: str
    organisation: Organisation | None = None
    direction: Direction | None = None
    buyer: str = ""  # SIREN or SIRET, for a buyer scope

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    def holds(self, *, direction_id: int | None, buyer_siret: str) -> bool:
        """Whether a row of the organisation's perimeter (its contract's direction and buyer) is in scope."""
        if self.direction is not None:
            return direction_id == self.direction.pk
        if self.buyer:
            return bool(buyer_siret) and buyer_siret.startswith(self.buyer)
        return True


def buyer_scope(identifier: str, organisation: Organisation | None = None) -> Scope:
    kind = "SIRET" if len(identifier) == 14 else "SIREN"
    return Scope(
        key=f"buyer:{identifier}",
        label=f"Acheteur {kind} {identifier}",
        contracts=Contract.objects.for_buyer(identifier),
        description=f"marchés de l'acheteur {kind} {identifier}",
        organisation=organisation,
        buyer=identifier,
    )


def organisation_scopes(organisation: Organisation, *, mutualised: bool) -> list[Scope]:
    """The organisation, then each buyer when the scheme is joint (indicators are kept per buyer,
    L2111-3), then each direction."""
    perimeter = Contract.objects.for_organisation(organisation)
    identifiers = list(organisation.buyers.values_list("identifier", flat=True))
    scopes = [
        Scope(
            key=ORGANISATION_SCOPE,
            label=organisation.name,
            contracts=perimeter,
            description="marchés des acheteurs du périmètre (" + ", ".join(identifiers) + ")",
            organisation=organisation,
        )
    ]
    if mutualised:
        scopes += [buyer_scope(identifier, organisation) for identifier in identifiers]
    for direction in organisation.directions.all():
        scopes.append(
            Scope(
                key=f"direction:{direction.slug}",
                label=direction.name,
                contracts=perimeter.filter(direction=direction),
                description=f"marchés du périmètre attribués à la direction « {direction.name} »",
                organisation=organisation,
                direction=direction,
            )
        )
    return scopes
