"""Finding the contract a register row speaks of, inside the organisation's perimeter.

Rule (docs/registers.md): the national `uid` when the row gives it; otherwise (buyer SIRET, contract id), the
buyer SIRET coming from its column or, when the organisation has a single buyer, from that buyer. When that
buyer is a whole SIREN, the contract id must match exactly one contract of the SIREN. Ids are compared as
written, spaces at both ends removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spaser.contracts.models import Contract
from spaser.organisations.models import Direction, Organisation

from .values import fold

CHUNK = 500


@dataclass
class Key:
    """Where a row points: an existing contract, or the uid a new register-only contract would take."""

    contract: Contract | None
    uid: str
    buyer_siret: str
    contract_id: str
    error: str = ""


class ContractIndex:
    """Looks contracts up for a whole file with a few queries (by uid and by contract id, in chunks)."""

    def __init__(self, *, organisation: Organisation, rows_values: list[dict[str, Any]], fields: list[str]):
        self.organisation = organisation
        buyers = list(organisation.buyers.values_list("identifier", flat=True))
        self.buyers = buyers
        self.default_buyer = buyers[0] if len(buyers) == 1 else ""
        self.perimeter = Contract.objects.for_organisation(organisation)
        self.by_uid: dict[str, Contract] = {}
        self.by_id: dict[str, list[Contract]] = {}
        uids = sorted({str(v["uid"]) for v in rows_values if v.get("uid")})
        ids = sorted({str(v["contract_id"]) for v in rows_values if v.get("contract_id")})
        for start in range(0, len(uids), CHUNK):
            for contract in self.perimeter.filter(uid__in=uids[start : start + CHUNK]).only(*fields):
                self._add(contract)
        for start in range(0, len(ids), CHUNK):
            for contract in self.perimeter.filter(contract_id__in=ids[start : start + CHUNK]).only(*fields):
                self._add(contract)

    def _add(self, contract: Contract) -> None:
        if contract.uid not in self.by_uid:
            self.by_uid[contract.uid] = contract
            self.by_id.setdefault(contract.contract_id, []).append(contract)

    def remember(self, contract: Contract) -> None:
        """A contract created by this import: a later row of the file finds it."""
        self._add(contract)

    def in_perimeter(self, siret: str) -> bool:
        return any(
            siret == identifier or (len(identifier) == 9 and siret.startswith(identifier))
            for identifier in self.buyers
        )

    def find(self, values: dict[str, Any]) -> Key:
        uid = str(values.get("uid") or "").strip()
        contract_id = str(values.get("contract_id") or "").strip()
        buyer = values.get("buyer_siret") or ""
        if uid:
            if uid in self.by_uid:
                contract = self.by_uid[uid]
                return Key(contract, uid, contract.buyer_siret, contract.contract_id)
            siret, own_id = uid[:14], uid[14:]
            if not (siret.isdigit() and own_id):
                return Key(
                    None, uid, "", "", f"l'identifiant « {uid} » ne commence pas par un SIRET acheteur"
                )
            if not self.in_perimeter(siret):
                return Key(None, uid, siret, own_id, self._outside(siret))
            return Key(None, uid, siret, contract_id or own_id)
        if not contract_id:
            return Key(None, "", "", "", "numéro de marché absent : la ligne ne désigne aucun marché")
        if buyer and not self.in_perimeter(buyer):
            return Key(None, "", buyer, contract_id, self._outside(buyer))
        buyer = buyer or self.default_buyer
        if not buyer:
            return Key(
                None, "", "", contract_id, "SIRET de l'acheteur absent (l'organisation en compte plusieurs)"
            )
        if len(buyer) == 14:
            uid = buyer + contract_id
            contract = self.by_uid.get(uid) or next(
                (c for c in self.by_id.get(contract_id, []) if c.buyer_siret == buyer), None
            )
            return Key(contract, uid, buyer, contract_id)
        matches = [c for c in self.by_id.get(contract_id, []) if c.buyer_siret.startswith(buyer)]
        if len(matches) == 1:
            return Key(matches[0], matches[0].uid, matches[0].buyer_siret, contract_id)
        if len(matches) > 1:
            sirets = ", ".join(sorted(c.buyer_siret for c in matches))
            return Key(
                None,
                "",
                "",
                contract_id,
                f"plusieurs marchés « {contract_id} » ({sirets}) : indiquez le SIRET acheteur",
            )
        return Key(
            None, "", "", contract_id, "marché inconnu et SIRET acheteur absent : impossible de le créer"
        )

    def _outside(self, siret: str) -> str:
        return f"l'acheteur {siret} n'est pas dans le périmètre de « {self.organisation.name} »"


class DirectionIndex:
    """Directions of the organisation by name, short name or slug (case and accents ignored)."""

    def __init__(self, organisation: Organisation):
        self.by_key: dict[str, Direction] = {}
        for direction in Direction.objects.filter(organisation=organisation):
            for text in (direction.name, direction.short_name, direction.slug):
                if text:
                    self.by_key.setdefault(fold(text), direction)

    def find(self, text: str) -> Direction | None:
        return self.by_key.get(fold(text))
