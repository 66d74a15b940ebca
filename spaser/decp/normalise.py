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

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
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
    new_contract_record,
)
from spaser.decp.values import (
    cached_cleaner,
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


@dataclass(frozen=True)
class _Names:
    """The names a contract kind gives to the same facts (concessions have their own), spelt once."""

    buyer: str
    buyer_id: str
    buyer_name: str
    amount: str
    date: str
    suppliers: str
    supplier: str
    modification_date: str


_MARCHE_NAMES = _Names(
    "acheteur",
    "acheteur.id",
    "acheteur.nom",
    "montant",
    "dateNotification",
    "titulaires",
    "titulaire",
    "dateNotificationModification",
)
_CONCESSION_NAMES = _Names(
    "autoriteConcedante",
    "autoriteConcedante.id",
    "autoriteConcedante.nom",
    "valeurGlobale",
    "dateSignature",
    "concessionnaires",
    "concessionnaire",
    "dateSignatureModification",
)


def _names(kind: str) -> _Names:
    return _MARCHE_NAMES if kind == KIND_MARCHE else _CONCESSION_NAMES


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


# Enumerated values: the same few spellings on every record, so cleaned and respelled once per spelling.
def _clean_nature(value: Any, field: str, flags: list[Flag]) -> str:
    return enums.nature(clean_text(value, field, flags), field, flags)


def _clean_procedure(value: Any, field: str, flags: list[Flag]) -> str:
    return enums.procedure(clean_text(value, field, flags), field, flags)


def _clean_place_type(value: Any, field: str, flags: list[Flag]) -> str:
    return enums.place_type(clean_text(value, field, flags), field, flags)


clean_nature = cached_cleaner(_clean_nature)
clean_procedure = cached_cleaner(_clean_procedure)
clean_place_type = cached_cleaner(_clean_place_type)
_NO_PLACE: dict[str, Any] = {}


def parse_record(
    raw: Any, *, position: int, kind: str, source_format: str, flags: list[Flag] | None = None
) -> ContractRecord | RejectedRecord:
    """`flags` may carry what the reader already found (schema, encoding) about this record.

    Flags are appended in a fixed order (the order of the statements below, then of the keyword arguments),
    which is the order they are stored in: keep it when editing."""
    flags = list(flags) if flags else []
    names = _names(kind)
    identity = _identity(raw, position, names, source_format, flags)
    if type(identity) is RejectedRecord:
        return identity
    buyer_siret, contract_id, buyer_name = identity
    get = raw.get
    is_marche = kind == KIND_MARCHE

    techniques = _clean_texts(get("techniques"), "technique", "techniques", flags)
    executions = _clean_texts(get("modalitesExecution"), "modaliteExecution", "modalitesExecution", flags)
    nature = clean_nature(get("nature"), "nature", flags)
    is_framework = nature in enums.FRAMEWORK_NATURES or _says_framework(techniques, executions)
    published_date = get(names.date)
    notification_date = clean_date(published_date, names.date, flags)
    publication_date = clean_date(get("datePublicationDonnees"), "datePublicationDonnees", flags)
    if notification_date is None and published_date is None:
        flags.append(Flag("date_notification_absente", "Date de notification absente.", names.date))
    if notification_date and publication_date and publication_date < notification_date:
        flags.append(
            Flag(
                "publication_avant_notification",
                "Données publiées avant la notification.",
                "datePublicationDonnees",
            )
        )
    place = get("lieuExecution")
    if not isinstance(place, dict):
        place = _NO_PLACE
    suppliers = parse_suppliers(get(names.suppliers), names.suppliers, names.supplier, flags)
    if not suppliers:
        flags.append(Flag("titulaire_absent", "Aucun titulaire identifiable.", names.suppliers))
    amount = clean_amount(get(names.amount), names.amount, flags)
    if is_framework:
        flags.append(FRAMEWORK_FLAG)
    modifications = parse_modifications(get("modifications"), is_marche, notification_date, flags)

    return new_contract_record(
        uid=buyer_siret + contract_id,
        buyer_siret=buyer_siret,
        contract_id=contract_id,
        kind=kind,
        source_format=source_format,
        position=position,
        object=clean_text(get("objet"), "objet", flags),
        nature=nature[:64],
        procedure=clean_procedure(get("procedure"), "procedure", flags)[:128],
        cpv=clean_cpv(get("codeCPV"), "codeCPV", flags) if is_marche else "",
        techniques=techniques,
        is_framework=is_framework,
        framework_id=clean_text(get("idAccordCadre"), "idAccordCadre", flags)[:64],
        amount=amount,
        duration_months=clean_int(get("dureeMois"), "dureeMois", flags, minimum=1),
        notification_date=notification_date,
        publication_date=publication_date,
        place_code=clean_text(place.get("code"), "lieuExecution.code", flags)[:16],
        place_type=clean_place_type(place.get("typeCode"), "lieuExecution.typeCode", flags),
        buyer_name=buyer_name[:300],
        social=social_considerations(get("considerationsSociales"), "considerationsSociales", flags),
        environmental=environmental_considerations(
            get("considerationsEnvironnementales"), "considerationsEnvironnementales", flags
        ),
        bids_received=clean_int(get("offresRecues"), "offresRecues", flags),
        advance_granted=clean_bool(get("attributionAvance"), "attributionAvance", flags),
        advance_rate=clean_rate(get("tauxAvance"), "tauxAvance", flags),
        innovative=clean_bool(get("marcheInnovant"), "marcheInnovant", flags),
        subcontracting_declared=clean_bool(get("sousTraitanceDeclaree"), "sousTraitanceDeclaree", flags),
        suppliers=suppliers,
        modifications=modifications,
        raw=raw,
        flags=_distinct(flags),
    )


def _distinct(flags: list[Flag]) -> tuple[Flag, ...]:
    """The same flag twice (e.g. two suppliers) says nothing more. Hashing flags costs: skipped for one."""
    if len(flags) < 2:
        return tuple(flags)
    return tuple(dict.fromkeys(flags))


def _clean_texts(value: Any, wrapper: str, field: str, flags: list[Flag]) -> tuple[str, ...]:
    """The non-empty cleaned texts of a list field (`techniques`, `modalitesExecution`)."""
    items = unwrap_list(value, wrapper)
    if not items:
        return ()
    texts = [clean_text(item, field, flags) for item in items]
    return tuple([text for text in texts if text])


def _says_framework(techniques: tuple[str, ...], executions: tuple[str, ...]) -> bool:
    """2022 says "accord-cadre" in `techniques`, and "marchés subséquents" in `modalitesExecution`."""
    return any(enums.key(technique) == "accord cadre" for technique in techniques) or any(
        enums.key(execution) == "marches subsequents" for execution in executions
    )


def _identity(
    raw: Any, position: int, names: _Names, source_format: str, flags: list[Flag]
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
    buyer = raw.get(names.buyer)
    if isinstance(buyer, dict):
        buyer_raw = buyer.get("id")
        buyer_name = clean_text(buyer.get("nom"), names.buyer_name, flags)
    else:
        buyer_raw = buyer
        buyer_name = ""
    buyer_siret = clean_siret(buyer_raw, names.buyer_id, flags)
    if not buyer_siret:
        reasons.append(f"Identifiant de l'acheteur ({names.buyer_id}) absent.")
    elif len(buyer_siret) != 14 or not buyer_siret.isdigit():
        reasons.append(f"Identifiant de l'acheteur inutilisable : « {buyer_raw} » (14 chiffres attendus).")
    if reasons:
        return RejectedRecord(position=position, reasons=tuple(reasons), raw=raw, source_format=source_format)
    return buyer_siret, contract_id, buyer_name


def parse_suppliers(value: Any, field: str, item_key: str, flags: list[Flag]) -> tuple[SupplierRecord, ...]:
    items = unwrap_list(value, item_key)
    if not items:
        return ()
    suppliers: list[SupplierRecord] = []
    seen: set[tuple[str, str]] = set()  # a supplier named twice is kept once, as first named
    for index, item in enumerate(items):
        supplier = _supplier(item, field, index, flags)
        if supplier is not None and (supplier.identifier, supplier.identifier_type) not in seen:
            seen.add((supplier.identifier, supplier.identifier_type))
            suppliers.append(supplier)
    return tuple(suppliers)


_TEXT_OR_NULL = (str, type(None))


def _supplier(item: Any, field: str, index: int, flags: list[Flag]) -> SupplierRecord | None:
    if not isinstance(item, dict):
        flags.append(Flag("titulaire_illisible", f"Titulaire illisible : « {item} ».", f"{field}[{index}]"))
        return None
    identifier_type = item.get("typeIdentifiant")
    identifier = item.get("id")
    name = item.get("denominationSociale") or item.get("nom")
    if (
        type(identifier_type) in _TEXT_OR_NULL
        and type(identifier) in _TEXT_OR_NULL
        and type(name) in _TEXT_OR_NULL
    ):
        # The same suppliers recur all through a file: each is read once (texts only, so that 1, 1.0 and True,
        # equal as cache keys, are never taken for one another).
        supplier, found = _known_supplier(identifier_type, identifier, name, field, index)
        if found:
            flags.extend(found)
        return supplier
    return _read_supplier(identifier_type, identifier, name, f"{field}[{index}]", flags)


@lru_cache(maxsize=16_384)
def _known_supplier(
    identifier_type: str | None, identifier: str | None, name: str | None, field: str, index: int
) -> tuple[SupplierRecord | None, tuple[Flag, ...]]:
    found: list[Flag] = []
    return _read_supplier(identifier_type, identifier, name, f"{field}[{index}]", found), tuple(found)


def _read_supplier(
    identifier_type: Any, identifier: Any, name: Any, where: str, flags: list[Flag]
) -> SupplierRecord | None:
    identifier_type = clean_identifier_type(identifier_type, f"{where}.typeIdentifiant", flags)
    if identifier_type == "SIRET":
        identifier = clean_siret(identifier, f"{where}.id", flags)
    else:
        identifier = clean_text(identifier, f"{where}.id", flags).replace(" ", "").upper()
    if not identifier:
        flags.append(Flag("titulaire_sans_identifiant", "Titulaire sans identifiant, ignoré.", where))
        return None
    name = clean_text(name, f"{where}.nom", flags)
    return SupplierRecord(identifier=identifier[:64], identifier_type=identifier_type, name=name[:300])


def parse_modifications(
    value: Any, is_marche: bool, notification_date: date | None, flags: list[Flag]
) -> tuple[ModificationRecord, ...]:
    """Modifications come as a list, a dict, a string or null in real files; readable objects are kept,
    in the order of their integer ids when all have one (2022), else in list order (2019). An act dated
    before the notification, or before the previous act, is flagged — its values are still applied in
    order."""
    if value is None:  # most records
        return ()
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
