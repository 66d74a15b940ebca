"""One raw record (a dict as published, whatever the format) into a ContractRecord, or a RejectedRecord.

The 2019 format (schema 1.x) and the 2022 format (2.0.x) share most field names; what differs is handled
here once for both, plus the XML and tabular spellings once converted to dicts by their readers:
- lists may be flat (2019: `titulaires: [{...}]`), wrapped (2022: `[{"titulaire": {...}}]`) or an object
  holding the list (XML: `{"titulaire": [...]}`); `unwrap_list` accepts all three;
- frameworks: 2019 says it in `nature` (`Accord-cadre`, `Marché subséquent`), 2022 in `techniques`
  (`Accord-cadre`) or `modalitesExecution` (`Marchés subséquents`); either way the amount is a maximum;
- concessions use other names for the same facts (autoriteConcedante, concessionnaires, valeurGlobale,
  dateSignature);
- modifications: 2022 has an integer `id` (applied in id order), 2019 a list without id (applied in list
  order); each carries new absolute values. Both the initial and the current values stay on the record.

Only what cannot be a contract is rejected (no id, no usable buyer SIRET, not an object): everything else is
kept, with a flag for each problem.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from spaser.decp import enums
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

MAX_CONTRACT_ID_LENGTH = 64  # Contract.contract_id; the schema allows 16, real files a little more
FRAMEWORK_FLAG = Flag(
    "accord_cadre",
    "Accord-cadre : le montant publié est un maximum ou une estimation, pas une dépense.",
    "montant",
)


def kind_of_2019(raw: Any, flags: list[Flag]) -> str:
    """The 2019 format says the kind in `_type`; when it is missing, the concession-only fields tell."""
    if isinstance(raw, dict):
        declared = raw.get("_type")
        if isinstance(declared, str) and declared.strip():
            found = enums.RECORD_TYPES.get(enums.key(declared))
            if found:
                return found
            flags.append(Flag("type_inconnu", f"Type d'enregistrement inconnu : « {declared} ».", "_type"))
        if any(name in raw for name in ("autoriteConcedante", "concessionnaires", "valeurGlobale")):
            return KIND_CONCESSION
    return KIND_MARCHE


def parse_record(
    raw: Any, *, position: int, kind: str, source_format: str, flags: list[Flag] | None = None
) -> ContractRecord | RejectedRecord:
    """`flags` may carry what the reader already found (schema, encoding) about this record."""
    flags = list(flags or ())
    identity = _identity(raw, position, kind, source_format, flags)
    if isinstance(identity, RejectedRecord):
        return identity
    buyer_siret, contract_id, buyer_name = identity
    is_marche = kind == KIND_MARCHE

    techniques = tuple(
        text
        for text in (
            clean_text(t, "techniques", flags) for t in unwrap_list(raw.get("techniques"), "technique") or ()
        )
        if text
    )
    executions = tuple(
        clean_text(m, "modalitesExecution", flags)
        for m in unwrap_list(raw.get("modalitesExecution"), "modaliteExecution") or ()
    )
    nature = enums.nature(clean_text(raw.get("nature"), "nature", flags), "nature", flags)
    is_framework = (
        nature in enums.FRAMEWORK_NATURES
        or any(enums.key(t) == "accord cadre" for t in techniques)
        or any(enums.key(m) == "marches subsequents" for m in executions)
    )
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
    place = place if isinstance(place, dict) else {}
    supplier_key, supplier_item = (
        ("titulaires", "titulaire") if is_marche else ("concessionnaires", "concessionnaire")
    )
    suppliers = parse_suppliers(raw.get(supplier_key), supplier_key, supplier_item, flags)
    if not suppliers:
        flags.append(Flag("titulaire_absent", "Aucun titulaire identifiable.", supplier_key))
    amount = clean_amount(raw.get(amount_key), amount_key, flags)
    if is_framework:
        flags.append(FRAMEWORK_FLAG)
    modifications = parse_modifications(raw.get("modifications"), is_marche, notification_date, flags)

    return ContractRecord(
        uid=buyer_siret + contract_id,
        buyer_siret=buyer_siret,
        contract_id=contract_id,
        kind=kind,
        source_format=source_format,
        position=position,
        object=clean_text(raw.get("objet"), "objet", flags),
        nature=nature[:64],
        procedure=enums.procedure(clean_text(raw.get("procedure"), "procedure", flags), "procedure", flags)[
            :128
        ],
        cpv=clean_cpv(raw.get("codeCPV"), "codeCPV", flags) if is_marche else "",
        techniques=techniques,
        is_framework=is_framework,
        framework_id=clean_text(raw.get("idAccordCadre"), "idAccordCadre", flags)[:64],
        amount=amount,
        duration_months=clean_int(raw.get("dureeMois"), "dureeMois", flags, minimum=1),
        notification_date=notification_date,
        publication_date=publication_date,
        place_code=clean_text(place.get("code"), "lieuExecution.code", flags)[:16],
        place_type=enums.place_type(
            clean_text(place.get("typeCode"), "lieuExecution.typeCode", flags),
            "lieuExecution.typeCode",
            flags,
        ),
        buyer_name=buyer_name[:300],
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
        modifications=modifications,
        raw=raw,
        flags=tuple(dict.fromkeys(flags)),  # the same flag twice (e.g. two suppliers) says nothing more
    )


def _identity(
    raw: Any, position: int, kind: str, source_format: str, flags: list[Flag]
) -> tuple[str, str, str] | RejectedRecord:
    """(buyer SIRET, contract id, buyer name), or the reasons why this cannot be a contract."""
    if not isinstance(raw, dict):
        reason = f"L'enregistrement n'est pas un objet (trouvé : {_describe(raw)})."
        return RejectedRecord(position=position, reasons=(reason,), raw=raw, source_format=source_format)
    reasons = []
    contract_id = clean_text(raw.get("id"), "id", flags)
    if not contract_id:
        reasons.append("Identifiant du marché (id) absent.")
    elif len(contract_id) > MAX_CONTRACT_ID_LENGTH:
        reasons.append(f"Identifiant du marché trop long ({len(contract_id)} caractères).")
    buyer_key = "acheteur" if kind == KIND_MARCHE else "autoriteConcedante"
    buyer = raw.get(buyer_key)
    buyer_raw = buyer.get("id") if isinstance(buyer, dict) else buyer
    buyer_name = clean_text(buyer.get("nom"), f"{buyer_key}.nom", flags) if isinstance(buyer, dict) else ""
    buyer_siret = clean_siret(buyer_raw, f"{buyer_key}.id", flags)
    if not buyer_siret:
        reasons.append(f"Identifiant de l'acheteur ({buyer_key}.id) absent.")
    elif len(buyer_siret) != 14 or not buyer_siret.isdigit():
        reasons.append(f"Identifiant de l'acheteur inutilisable : « {buyer_raw} » (14 chiffres attendus).")
    if reasons:
        return RejectedRecord(position=position, reasons=tuple(reasons), raw=raw, source_format=source_format)
    return buyer_siret, contract_id, buyer_name


def parse_suppliers(value: Any, field: str, item_key: str, flags: list[Flag]) -> tuple[SupplierRecord, ...]:
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


def parse_modifications(
    value: Any, is_marche: bool, notification_date: date | None, flags: list[Flag]
) -> tuple[ModificationRecord, ...]:
    """Modifications come as a list, a dict, a string or null in real files; readable objects are kept,
    in the order of their integer ids when all have one (2022), else in list order (2019). An act dated
    before the notification, or before the previous act, is flagged — its values are still applied in
    order."""
    items = unwrap_list(value, "modification") or []
    if isinstance(value, str) and value.strip():
        flags.append(
            Flag(
                "modification_illisible",
                f"Modification publiée en texte : « {value[:80]} ».",
                "modifications",
            )
        )
        items = []
    date_key = "dateNotificationModification" if is_marche else "dateSignatureModification"
    amount_key = "montant" if is_marche else "valeurGlobale"
    supplier_key, supplier_item = (
        ("titulaires", "titulaire") if is_marche else ("concessionnaires", "concessionnaire")
    )
    modifications: list[tuple[int | None, ModificationRecord]] = []
    for index, item in enumerate(items):
        where = f"modifications[{index}]"
        if not isinstance(item, dict):
            flags.append(Flag("modification_illisible", f"Modification illisible : « {item} ».", where))
            continue
        suppliers_raw = item.get(supplier_key)
        amount_raw = item.get(amount_key)
        raw_id = clean_text(item.get("id"), f"{where}.id", flags)
        order = int(raw_id) if raw_id.isdigit() else None
        modifications.append(
            (
                order,
                ModificationRecord(
                    id=raw_id or str(index + 1),
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
                    else parse_suppliers(suppliers_raw, f"{where}.{supplier_key}", supplier_item, flags),
                    object=clean_text(item.get("objetModification"), f"{where}.objetModification", flags),
                ),
            )
        )
    if modifications and all(order is not None for order, _ in modifications):
        ordered = sorted(modifications, key=lambda pair: pair[0])
        if ordered != modifications:
            flags.append(
                Flag(
                    "modifications_desordre",
                    "Modifications publiées dans le désordre : "
                    "appliquées dans l'ordre de leurs identifiants.",
                    "modifications",
                )
            )
        modifications = ordered
    result = tuple(modification for _, modification in modifications)
    _check_dates(result, notification_date, flags)
    return result


def _check_dates(
    modifications: tuple[ModificationRecord, ...], notification_date: date | None, flags: list[Flag]
) -> None:
    previous: date | None = None
    for index, modification in enumerate(modifications):
        when = modification.notification_date
        if when is None:
            continue
        if notification_date and when < notification_date:
            flags.append(
                Flag(
                    "modification_avant_notification",
                    f"Modification {modification.id} datée du {when:%d/%m/%Y}, "
                    "avant la notification du marché.",
                    f"modifications[{index}]",
                )
            )
        if previous and when < previous:
            flags.append(
                Flag(
                    "modification_retour_arriere",
                    f"Modification {modification.id} datée du {when:%d/%m/%Y}, "
                    "avant la modification précédente.",
                    f"modifications[{index}]",
                )
            )
        previous = when


def _describe(value: Any) -> str:
    return {list: "une liste", str: "un texte", int: "un nombre", float: "un nombre", type(None): "null"}.get(
        type(value), type(value).__name__
    )
