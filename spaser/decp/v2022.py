"""The 2022 format (schema 2.0.x, contracts notified from 2024-01-01) into ContractRecord.

`{"marches": {"marche": [...], "contrat-concession": [...]}}`, every list item wrapped
(`titulaires: [{"titulaire": {...}}]`). Concessions use other names for the same facts
(autoriteConcedante, concessionnaires, valeurGlobale, dateSignature): both map onto one record.
"""

from __future__ import annotations

from typing import Any

from spaser.decp.considerations import environmental_considerations, social_considerations
from spaser.decp.records import (
    KIND_CONCESSION,
    KIND_MARCHE,
    ContractRecord,
    Flag,
    ModificationRecord,
    RejectedRecord,
    SupplierRecord,
)
from spaser.decp.values import (
    clean_amount,
    clean_bool,
    clean_cpv,
    clean_date,
    clean_identifier_type,
    clean_int,
    clean_rate,
    clean_siret,
    clean_text,
    unwrap_list,
)

FORMAT = "decp-2022"
MAX_CONTRACT_ID_LENGTH = 64  # Contract.contract_id; the schema allows 16, real files a little more


def parse_marche(raw: Any, position: int) -> ContractRecord | RejectedRecord:
    return _parse(raw, position, KIND_MARCHE)


def parse_concession(raw: Any, position: int) -> ContractRecord | RejectedRecord:
    return _parse(raw, position, KIND_CONCESSION)


def _identity(raw: Any, position: int, kind: str, flags: list[Flag]) -> tuple[str, str] | RejectedRecord:
    """(buyer SIRET, contract id), or the reasons why this cannot be a contract."""
    if not isinstance(raw, dict):
        reason = f"L'enregistrement n'est pas un objet JSON (trouvé : {type(raw).__name__})."
        return RejectedRecord(position=position, reasons=(reason,), raw=raw, source_format=FORMAT)
    reasons = []
    contract_id = clean_text(raw.get("id"), "id", flags)
    if not contract_id:
        reasons.append("Identifiant du marché (id) absent.")
    elif len(contract_id) > MAX_CONTRACT_ID_LENGTH:
        reasons.append(f"Identifiant du marché trop long ({len(contract_id)} caractères).")
    buyer_key = "acheteur" if kind == KIND_MARCHE else "autoriteConcedante"
    buyer = raw.get(buyer_key)
    buyer_raw = buyer.get("id") if isinstance(buyer, dict) else buyer
    buyer_siret = clean_siret(buyer_raw, f"{buyer_key}.id", flags)
    if not buyer_siret:
        reasons.append(f"Identifiant de l'acheteur ({buyer_key}.id) absent.")
    elif len(buyer_siret) != 14 or not buyer_siret.isdigit():
        reasons.append(f"Identifiant de l'acheteur inutilisable : « {buyer_raw} » (14 chiffres attendus).")
    if reasons:
        return RejectedRecord(position=position, reasons=tuple(reasons), raw=raw, source_format=FORMAT)
    return buyer_siret, contract_id


def _parse(raw: Any, position: int, kind: str) -> ContractRecord | RejectedRecord:
    flags: list[Flag] = []
    identity = _identity(raw, position, kind, flags)
    if isinstance(identity, RejectedRecord):
        return identity
    buyer_siret, contract_id = identity
    is_marche = kind == KIND_MARCHE

    techniques = tuple(
        clean_text(t, "techniques", flags) for t in unwrap_list(raw.get("techniques"), "technique") or ()
    )
    techniques = tuple(t for t in techniques if t)
    amount_key = "montant" if is_marche else "valeurGlobale"
    date_key = "dateNotification" if is_marche else "dateSignature"
    notification_date = clean_date(raw.get(date_key), date_key, flags)
    publication_date = clean_date(raw.get("datePublicationDonnees"), "datePublicationDonnees", flags)
    if notification_date is None and raw.get(date_key) is None:
        flags.append(Flag("date_notification_absente", "Date de notification absente.", date_key))
    if notification_date and publication_date and publication_date < notification_date:
        flags.append(
            Flag(
                "publication_avant_notification",
                "Données publiées avant la notification.",
                "datePublicationDonnees",
            )
        )
    place = raw.get("lieuExecution")
    supplier_key, supplier_item = (
        ("titulaires", "titulaire") if is_marche else ("concessionnaires", "concessionnaire")
    )
    suppliers = _suppliers(raw.get(supplier_key), supplier_key, supplier_item, flags)
    if not suppliers:
        flags.append(Flag("titulaire_absent", "Aucun titulaire identifiable.", supplier_key))

    return ContractRecord(
        uid=buyer_siret + contract_id,
        buyer_siret=buyer_siret,
        contract_id=contract_id,
        kind=kind,
        source_format=FORMAT,
        position=position,
        object=clean_text(raw.get("objet"), "objet", flags),
        nature=clean_text(raw.get("nature"), "nature", flags)[:64],
        procedure=clean_text(raw.get("procedure"), "procedure", flags)[:128],
        cpv=clean_cpv(raw.get("codeCPV"), "codeCPV", flags) if is_marche else "",
        techniques=techniques,
        is_framework=any(t.lower().replace(" ", "") == "accord-cadre" for t in techniques),
        framework_id=clean_text(raw.get("idAccordCadre"), "idAccordCadre", flags)[:64],
        amount=clean_amount(raw.get(amount_key), amount_key, flags),
        duration_months=clean_int(raw.get("dureeMois"), "dureeMois", flags, minimum=1),
        notification_date=notification_date,
        publication_date=publication_date,
        place_code=clean_text(place.get("code"), "lieuExecution.code", flags)[:16]
        if isinstance(place, dict)
        else "",
        social=social_considerations(raw.get("considerationsSociales"), "considerationsSociales", flags),
        environmental=environmental_considerations(
            raw.get("considerationsEnvironnementales"), "considerationsEnvironnementales", flags
        ),
        bids_received=clean_int(raw.get("offresRecues"), "offresRecues", flags),
        advance_granted=clean_bool(raw.get("attributionAvance"), "attributionAvance", flags),
        advance_rate=clean_rate(raw.get("tauxAvance"), "tauxAvance", flags),
        innovative=clean_bool(raw.get("marcheInnovant"), "marcheInnovant", flags),
        subcontracting_declared=clean_bool(raw.get("sousTraitanceDeclaree"), "sousTraitanceDeclaree", flags),
        suppliers=suppliers,
        modifications=_modifications(raw.get("modifications"), is_marche, flags),
        raw=raw,
        flags=tuple(flags),
    )


def _suppliers(value: Any, field: str, item_key: str, flags: list[Flag]) -> tuple[SupplierRecord, ...]:
    suppliers: list[SupplierRecord] = []
    for index, item in enumerate(unwrap_list(value, item_key) or ()):
        where = f"{field}[{index}]"
        if not isinstance(item, dict):
            flags.append(Flag("titulaire_illisible", f"Titulaire illisible : « {item} ».", where))
            continue
        identifier_type = clean_identifier_type(
            item.get("typeIdentifiant"), f"{where}.typeIdentifiant", flags
        )
        if identifier_type == "SIRET":
            identifier = clean_siret(item.get("id"), f"{where}.id", flags)
        else:
            identifier = clean_text(item.get("id"), f"{where}.id", flags).replace(" ", "").upper()
        if not identifier:
            flags.append(Flag("titulaire_sans_identifiant", "Titulaire sans identifiant, ignoré.", where))
            continue
        name = clean_text(item.get("denominationSociale") or item.get("nom"), f"{where}.nom", flags)
        supplier = SupplierRecord(
            identifier=identifier[:64], identifier_type=identifier_type, name=name[:300]
        )
        if all(
            s.identifier != supplier.identifier or s.identifier_type != identifier_type for s in suppliers
        ):
            suppliers.append(supplier)
    return tuple(suppliers)


def _modifications(value: Any, is_marche: bool, flags: list[Flag]) -> tuple[ModificationRecord, ...]:
    """Modifications come as a list, a dict, a string or null in real files; readable objects are kept."""
    items = unwrap_list(value, "modification") or []
    date_key = "dateNotificationModification" if is_marche else "dateSignatureModification"
    amount_key = "montant" if is_marche else "valeurGlobale"
    supplier_key, supplier_item = (
        ("titulaires", "titulaire") if is_marche else ("concessionnaires", "concessionnaire")
    )
    modifications: list[ModificationRecord] = []
    for index, item in enumerate(items):
        where = f"modifications[{index}]"
        if not isinstance(item, dict):
            flags.append(Flag("modification_illisible", f"Modification illisible : « {item} ».", where))
            continue
        suppliers_raw = item.get(supplier_key)
        amount_raw = item.get(amount_key)
        modifications.append(
            ModificationRecord(
                id=clean_text(item.get("id"), f"{where}.id", flags) or str(index + 1),
                amount=None
                if amount_raw is None
                else clean_amount(amount_raw, f"{where}.{amount_key}", flags),
                duration_months=clean_int(item.get("dureeMois"), f"{where}.dureeMois", flags, minimum=1),
                notification_date=clean_date(item.get(date_key), f"{where}.{date_key}", flags),
                publication_date=clean_date(
                    item.get("datePublicationDonneesModification"),
                    f"{where}.datePublicationDonneesModification",
                    flags,
                ),
                suppliers=None
                if suppliers_raw is None
                else _suppliers(suppliers_raw, f"{where}.{supplier_key}", supplier_item, flags),
            )
        )
    return tuple(modifications)
