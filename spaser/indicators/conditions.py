"""Conditions over contract fields, as data: what an indicator counts (its numerator) or restricts its
denominator to. Tri-state, like the data (domain.md §5 rule 4): a condition is met (yes), not met (no) or
unknown (the field is not filled in), and unknown is never counted as no.

A condition is a JSON object, validated by `compile_condition` (French messages naming the parameter):

- `{"flag": "has_social"}`: a tri-state contract field (`FLAGS`);
- `{"field": "procedure", "in": ["Appel d'offres ouvert", …]}`: a text field among values (`TEXT_FIELDS`;
  an empty field is unknown);
- `{"field": "cpv", "prefix": ["45", "50"]}`: a text field starting with one of the prefixes;
- `{"field": "amount", "min": 50000, "max": 90000}`: a number field in a range, bounds included
  (`NUMBER_FIELDS`; either bound may be left out; a missing number is unknown);
- `{"field": "bids_received", "equals": 1}` and `{"field": "is_framework", "equals": true}`;
- `{"supplier": "inclusive" | "ess" | "sme"}` or `{"supplier": "located", "departement": "93"}` /
  `{"supplier": "located", "region": "11"}`: at least one supplier of the contract is so (no when every
  supplier is known not to be; unknown when a supplier's status is not known, or no supplier is known);
- `{"known": "has_social"}`: the field is filled in (never unknown itself: data completeness);
- `{"published_within_days": 61}`: published in DECP at most that many days after notification (unknown
  when either date is missing);
- `{"all": [c, …]}`, `{"any": [c, …]}`, `{"not": c}`: yes/no combine as in three-valued logic.

Each compiled condition gives two predicates (`is_yes`, `is_no`; unknown is neither), each rendered twice
from the same construction (`Pred`): a Q object (`yes`, `no`) used by every SQL figure and by the drill-down
lists, and a polars expression (`frame`) used over a columnar frame of contracts (spaser.indicators.frames,
the observatory); plus `evaluate(contract)` for one contract in Python (the contract page). Tests check that
the three agree on every contract of a random world.

In a frame, a missing value is null and a predicate's expression is never null: a row is in or out, like a row
a Q object selects (Django's negation of a nullable column keeps its NULLs, `~` here does the same). Supplier
conditions read the frame's `suppliers` column (a list of the suppliers' facts); a frame without it — the
national data — has no supplier known, so they are unknown there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl
from django.db.models import Exists, F, OuterRef, Q

from spaser.contracts.models import ContractSupplier
from spaser.suppliers.models import SizeCategory

from .errors import InvalidParams

FLAGS = {
    "has_social": "au moins une considération sociale",
    "social_clause": "une clause sociale",
    "social_criterion": "un critère social",
    "reserved": "un marché réservé",
    "has_environmental": "au moins une considération environnementale",
    "environmental_clause": "une clause environnementale",
    "environmental_criterion": "un critère environnemental",
    "innovative": "un marché innovant",
    "subcontracting_declared": "une sous-traitance déclarée",
    "advance_granted": "une avance attribuée",
}
TEXT_FIELDS = {
    "procedure": "procédure",
    "nature": "nature",
    "cpv": "code CPV",
    "cpv_division": "division CPV",
    "buyer_siret": "SIRET de l'acheteur",
    "reserved_article": "article du marché réservé",
    "kind": "type de contrat",
}
NUMBER_FIELDS = {
    "amount": "montant initial",
    "current_amount": "montant actuel",
    "duration_months": "durée initiale (mois)",
    "current_duration_months": "durée actuelle (mois)",
    "bids_received": "offres reçues",
    "advance_rate": "taux d'avance",
    "estimated_spend": "dépense estimée",
}
BOOLEAN_FIELDS = {"is_framework": "accord-cadre"}  # never unknown
SUPPLIER_KINDS = {
    "inclusive": "un titulaire inclusif (SIAE, EA, ESAT)",
    "ess": "un titulaire de l'économie sociale et solidaire",
    "sme": "un titulaire PME (TPE comprises)",
    "located": "un titulaire situé sur le territoire",
}
SME_SIZES = (SizeCategory.PME,)
NON_SME_SIZES = (SizeCategory.ETI, SizeCategory.GE)


@dataclass(frozen=True, eq=False)
class Pred:
    """A predicate over contracts, built once and rendered to both backends: `q` (Django, SQL) and `expr` (a
    polars boolean expression, never null). `key` is its structure (equal keys, equal predicates: a frame's
    aggregates are asked once per key); `columns` the contract columns it reads."""

    q: Q
    expr: pl.Expr
    key: tuple
    columns: frozenset[str] = frozenset()

    def __and__(self, other: Pred) -> Pred:
        if self is ALWAYS:
            return other
        if other is ALWAYS:
            return self
        return Pred(self.q & other.q, self.expr & other.expr, ("and", self.key, other.key),
                    self.columns | other.columns)  # fmt: skip

    def __or__(self, other: Pred) -> Pred:
        return Pred(self.q | other.q, self.expr | other.expr, ("or", self.key, other.key),
                    self.columns | other.columns)  # fmt: skip

    def __invert__(self) -> Pred:
        return Pred(~self.q, ~self.expr, ("not", self.key), self.columns)

    # -- leaves: a missing value (SQL NULL, frame null) never matches -------------------------------------

    @staticmethod
    def equals(name: str, value: Any) -> Pred:
        plain = str(value) if isinstance(value, str) else value  # a TextChoices member: its value
        return Pred(Q(**{name: value}), (pl.col(name) == pl.lit(plain)).fill_null(False),
                    ("=", name, plain), frozenset({name}))  # fmt: skip

    @staticmethod
    def among(name: str, values: list) -> Pred:
        return Pred(Q(**{f"{name}__in": values}), pl.col(name).is_in(values).fill_null(False),
                    ("in", name, tuple(values)), frozenset({name}))  # fmt: skip

    @staticmethod
    def starts_with(name: str, prefix: str) -> Pred:
        matches = pl.col(name).str.starts_with(prefix).fill_null(False)
        lookup = Q(**{f"{name}__startswith": prefix})
        return Pred(lookup, matches, ("prefix", name, prefix), frozenset({name}))

    @staticmethod
    def at_least(name: str, bound: Decimal) -> Pred:
        return Pred(Q(**{f"{name}__gte": bound}), (pl.col(name) >= pl.lit(bound)).fill_null(False),
                    (">=", name, bound), frozenset({name}))  # fmt: skip

    @staticmethod
    def at_most(name: str, bound: Decimal) -> Pred:
        return Pred(Q(**{f"{name}__lte": bound}), (pl.col(name) <= pl.lit(bound)).fill_null(False),
                    ("<=", name, bound), frozenset({name}))  # fmt: skip

    @staticmethod
    def is_null(name: str) -> Pred:
        return Pred(Q(**{f"{name}__isnull": True}), pl.col(name).is_null(), ("null", name), frozenset({name}))

    @staticmethod
    def not_null(name: str) -> Pred:
        return Pred(Q(**{f"{name}__isnull": False}), pl.col(name).is_not_null(), ("not null", name),
                    frozenset({name}))  # fmt: skip


ALWAYS = Pred(Q(), pl.lit(True), ("always",))  # every row (`&` with it is the other side, unchanged)


@dataclass(frozen=True)
class Condition:
    is_yes: Pred
    is_no: Pred
    evaluate: Callable[[Any], bool | None]  # one contract (suppliers prefetched) → True / False / None
    label: str  # French, for method notes: « une clause sociale »

    @property
    def yes(self) -> Q:
        return self.is_yes.q

    @property
    def no(self) -> Q:
        return self.is_no.q

    @property
    def is_unknown(self) -> Pred:
        return ~self.is_yes & ~self.is_no

    @property
    def unknown(self) -> Q:
        return self.is_unknown.q

    @property
    def frame(self) -> tuple[pl.Expr, pl.Expr]:
        """(yes, no) as polars expressions over a frame of contracts; unknown is neither."""
        return self.is_yes.expr, self.is_no.expr


def compile_condition(spec: Any, path: str = "condition") -> Condition:
    """Validate `spec` and compile it; InvalidParams (French, naming `path`) when it is not a condition."""
    if isinstance(spec, str):  # shorthand kept from the first scheme files: "has_social"
        if spec not in FLAGS:
            raise InvalidParams(f"« {path} » doit être l'une de : {', '.join(FLAGS)} (ou un objet condition)")
        spec = {"flag": spec}
    if not isinstance(spec, dict) or not spec:
        raise InvalidParams(f"« {path} » doit être un objet décrivant une condition")
    for key, compile_one in _COMPILERS.items():
        if key in spec:
            return compile_one(spec, path)
    raise InvalidParams(f"« {path} » : condition inconnue (clés possibles : {', '.join(_COMPILERS)})")


def _only(spec: dict, path: str, allowed: set[str]) -> None:
    extra = set(spec) - allowed
    if extra:
        raise InvalidParams(f"« {path} » : paramètre inconnu : {', '.join(sorted(extra))}")


def _flag(spec: dict, path: str) -> Condition:
    _only(spec, path, {"flag"})
    name = spec["flag"]
    if name not in FLAGS:
        raise InvalidParams(f"« {path}.flag » doit être l'un de : {', '.join(FLAGS)}")
    return Condition(
        is_yes=Pred.equals(name, True),
        is_no=Pred.equals(name, False),
        evaluate=lambda contract: getattr(contract, name),
        label=FLAGS[name],
    )


def _field(spec: dict, path: str) -> Condition:
    name = spec["field"]
    tests = [key for key in ("in", "prefix", "min", "max", "equals") if key in spec]
    _only(spec, path, {"field", *tests})
    if not tests:
        raise InvalidParams(f"« {path} » : précisez « in », « prefix », « min »/« max » ou « equals »")
    if name in BOOLEAN_FIELDS:
        return _boolean_field(spec, path, name, tests)
    if name in TEXT_FIELDS:
        return _text_field(spec, path, name, tests)
    if name in NUMBER_FIELDS:
        return _number_field(spec, path, name, tests)
    known = ", ".join([*TEXT_FIELDS, *NUMBER_FIELDS, *BOOLEAN_FIELDS])
    raise InvalidParams(f"« {path}.field » doit être l'un de : {known}")


def _boolean_field(spec: dict, path: str, name: str, tests: list[str]) -> Condition:
    if tests != ["equals"] or not isinstance(spec["equals"], bool):
        raise InvalidParams(f"« {path} » : « {name} » se teste avec « equals » : true ou false")
    wanted = spec["equals"]
    return Condition(
        is_yes=Pred.equals(name, wanted),
        is_no=Pred.equals(name, not wanted),
        evaluate=lambda contract: getattr(contract, name) == wanted,
        label=f"{BOOLEAN_FIELDS[name]} : {'oui' if wanted else 'non'}",
    )


def _text_field(spec: dict, path: str, name: str, tests: list[str]) -> Condition:
    if len(tests) != 1 or tests[0] not in ("in", "prefix", "equals"):
        raise InvalidParams(f"« {path} » : « {name} » se teste avec « in », « prefix » ou « equals »")
    test = tests[0]
    values = [spec[test]] if test == "equals" else spec[test]
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise InvalidParams(f"« {path}.{test} » doit être une liste de textes non vides")
    known = _filled(name)
    if test == "prefix":
        matches = Pred.starts_with(name, values[0])
        for value in values[1:]:
            matches |= Pred.starts_with(name, value)
        label = f"{TEXT_FIELDS[name]} commençant par {' ou '.join(values)}"

        def evaluate(contract) -> bool | None:
            text = getattr(contract, name) or ""
            return text.startswith(tuple(values)) if text else None
    else:
        matches = Pred.among(name, values)
        label = f"{TEXT_FIELDS[name]} : {' ou '.join(values)}"

        def evaluate(contract) -> bool | None:
            text = getattr(contract, name) or ""
            return text in values if text else None

    return Condition(is_yes=known & matches, is_no=known & ~matches, evaluate=evaluate, label=label)


def _filled(name: str) -> Pred:
    """A text field is known when neither empty nor NULL."""
    return ~Pred.equals(name, "") & Pred.not_null(name)


def _number(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidParams(f"« {where} » doit être un nombre")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise InvalidParams(f"« {where} » doit être un nombre") from None


def _number_field(spec: dict, path: str, name: str, tests: list[str]) -> Condition:
    if ("equals" in tests and len(tests) > 1) or {"in", "prefix"} & set(tests):
        raise InvalidParams(f"« {path} » : « {name} » se teste avec « min »/« max » ou « equals »")
    if "equals" in tests:
        low = high = _number(spec["equals"], f"{path}.equals")
    else:
        low = _number(spec["min"], f"{path}.min") if "min" in spec else None
        high = _number(spec["max"], f"{path}.max") if "max" in spec else None
        if low is not None and high is not None and low > high:
            raise InvalidParams(f"« {path} » : « min » dépasse « max »")
    matches = ALWAYS
    if low is not None:
        matches &= Pred.at_least(name, low)
    if high is not None:
        matches &= Pred.at_most(name, high)
    known = Pred.not_null(name)

    def evaluate(contract) -> bool | None:
        value = getattr(contract, name)
        if value is None:
            return None
        return (low is None or value >= low) and (high is None or value <= high)

    bounds = (
        f"= {low}"
        if low == high
        else " et ".join(
            part
            for part in (f"≥ {low}" if low is not None else "", f"≤ {high}" if high is not None else "")
            if part
        )
    )
    return Condition(
        is_yes=known & matches,
        is_no=known & ~matches,
        evaluate=evaluate,
        label=f"{NUMBER_FIELDS[name]} {bounds}",
    )


def _known(spec: dict, path: str) -> Condition:
    _only(spec, path, {"known"})
    name = spec["known"]
    labels = {**FLAGS, **TEXT_FIELDS, **NUMBER_FIELDS}
    if name not in labels:
        raise InvalidParams(f"« {path}.known » doit être l'un de : {', '.join(labels)}")
    filled = _filled(name) if name in TEXT_FIELDS else Pred.not_null(name)
    return Condition(
        is_yes=filled,
        is_no=~filled,
        evaluate=lambda contract: getattr(contract, name) not in (None, ""),
        label=f"« {labels[name]} » renseigné",
    )


def _published_within(spec: dict, path: str) -> Condition:
    _only(spec, path, {"published_within_days"})
    days = spec["published_within_days"]
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InvalidParams(f"« {path}.published_within_days » doit être un nombre de jours")
    dates = frozenset({"publication_date", "notification_date"})
    known = Pred(
        Q(publication_date__isnull=False, notification_date__isnull=False),
        pl.col("publication_date").is_not_null() & pl.col("notification_date").is_not_null(),
        ("dates known",),
        dates,
    )
    soon = Pred(
        Q(publication_date__lte=F("notification_date") + timedelta(days=days)),
        (pl.col("publication_date") <= pl.col("notification_date") + pl.duration(days=days)).fill_null(False),
        ("published within", days),
        dates,
    )

    def evaluate(contract) -> bool | None:
        if contract.publication_date is None or contract.notification_date is None:
            return None
        return (contract.publication_date - contract.notification_date).days <= days

    return Condition(
        is_yes=known & soon,
        is_no=known & ~soon,
        evaluate=evaluate,
        label=f"publication au plus {days} jours après la notification",
    )


def _supplier(spec: dict, path: str) -> Condition:
    kind = spec["supplier"]
    if kind not in SUPPLIER_KINDS:
        raise InvalidParams(f"« {path}.supplier » doit être l'un de : {', '.join(SUPPLIER_KINDS)}")
    if kind == "located":
        _only(spec, path, {"supplier", "departement", "region"})
        places = [key for key in ("departement", "region") if key in spec]
        if len(places) != 1 or not isinstance(spec[places[0]], str) or not spec[places[0]]:
            raise InvalidParams(f"« {path} » : précisez « departement » ou « region » (un code)")
        place = places[0]
        code = spec[place]
        column = f"{place}_code"
        known, good = ~Q(**{column: ""}), Q(**{column: code})
        value = pl.element().struct.field(column).fill_null("")
        frame_status = pl.when(value != "").then(value == code)
        label = (
            f"un titulaire situé dans {'le département' if place == 'departement' else 'la région'} {code}"
        )

        def status(supplier) -> bool | None:
            value = getattr(supplier, column)
            return (value == code) if value else None
    else:
        _only(spec, path, {"supplier"})
        known, good, status = _SUPPLIER_TESTS[kind]
        frame_status = _FRAME_SUPPLIER_STATUS[kind]()
        label = SUPPLIER_KINDS[kind]
    links = ContractSupplier.objects.filter(contract=OuterRef("pk"))
    any_good = Q(Exists(links.filter(_on_supplier(good))))
    no = Q(Exists(links)) & ~any_good
    if known is not None:  # some suppliers' status may be unknown: then the contract's is too
        no &= ~Q(Exists(links.filter(~_on_supplier(known))))
    # In a frame: the `suppliers` list (null: no supplier known, as in national data).
    suppliers = pl.col("suppliers")
    frame_yes = suppliers.list.eval(frame_status.fill_null(False)).list.any().fill_null(False)
    frame_no = (suppliers.list.len() > 0) & ~frame_yes
    if known is not None:
        frame_no &= suppliers.list.eval(frame_status.is_not_null()).list.all()
    key = ("supplier", kind, tuple(sorted((k, v) for k, v in spec.items() if k != "supplier")))
    columns = frozenset({"suppliers"})

    def evaluate(contract) -> bool | None:
        statuses = [status(supplier) for supplier in contract.suppliers.all()]
        if any(statuses):
            return True
        if statuses and None not in statuses:
            return False
        return None

    return Condition(
        is_yes=Pred(any_good, frame_yes, (*key, "yes"), columns),
        is_no=Pred(no, frame_no.fill_null(False), (*key, "no"), columns),
        evaluate=evaluate,
        label=label,
    )


def _on_supplier(condition: Q) -> Q:
    """A Q over Supplier fields, rewritten over ContractSupplier (`supplier__…`)."""
    rewritten = Q()
    rewritten.connector, rewritten.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            rewritten.children.append(_on_supplier(child))
        else:
            lookup, value = child
            rewritten.children.append((f"supplier__{lookup}", value))
    return rewritten


# Per supplier kind: (status known — None: always —, good, status of one supplier object). Inclusive lists
# are exhaustive: a supplier not on them is not inclusive, whereas ESS and size come from SIRENE enrichment.
_SUPPLIER_TESTS = {
    "inclusive": (None, ~Q(inclusive_kind=""), lambda s: bool(s.inclusive_kind)),
    "ess": (Q(is_ess__isnull=False), Q(is_ess=True), lambda s: s.is_ess),
    "sme": (
        Q(size_category__in=[*SME_SIZES, *NON_SME_SIZES]),
        Q(size_category__in=SME_SIZES),
        lambda s: (s.size_category in SME_SIZES) if s.size_category in (*SME_SIZES, *NON_SME_SIZES) else None,
    ),
}


def _frame_size_status() -> pl.Expr:
    size = pl.element().struct.field("size_category")
    sme, known = [s.value for s in SME_SIZES], [s.value for s in (*SME_SIZES, *NON_SME_SIZES)]
    return pl.when(size.is_in(known)).then(size.is_in(sme))


# The same statuses over one element of a frame's `suppliers` list (null: unknown).
_FRAME_SUPPLIER_STATUS = {
    "inclusive": lambda: pl.element().struct.field("inclusive_kind").fill_null("") != "",
    "ess": lambda: pl.element().struct.field("is_ess"),
    "sme": _frame_size_status,
}


def _combine(spec: dict, path: str) -> Condition:
    key = next(key for key in ("all", "any") if key in spec)
    _only(spec, path, {key})
    items = spec[key]
    if not isinstance(items, list) or not items:
        raise InvalidParams(f"« {path}.{key} » doit être une liste de conditions")
    parts = [compile_condition(item, f"{path}.{key}[{index}]") for index, item in enumerate(items)]
    yes, no = parts[0].is_yes, parts[0].is_no
    for part in parts[1:]:
        if key == "all":
            yes, no = yes & part.is_yes, no | part.is_no
        else:
            yes, no = yes | part.is_yes, no & part.is_no
    joiner = " et " if key == "all" else " ou "

    def evaluate(contract) -> bool | None:
        values = [part.evaluate(contract) for part in parts]
        if key == "all":
            return False if False in values else (None if None in values else True)
        return True if True in values else (None if None in values else False)

    return Condition(is_yes=yes, is_no=no, evaluate=evaluate, label=joiner.join(part.label for part in parts))


def _negate(spec: dict, path: str) -> Condition:
    _only(spec, path, {"not"})
    part = compile_condition(spec["not"], f"{path}.not")

    def evaluate(contract) -> bool | None:
        value = part.evaluate(contract)
        return None if value is None else not value

    return Condition(is_yes=part.is_no, is_no=part.is_yes, evaluate=evaluate, label=f"pas {part.label}")


_COMPILERS = {
    "flag": _flag,
    "field": _field,
    "supplier": _supplier,
    "known": _known,
    "published_within_days": _published_within,
    "all": _combine,
    "any": _combine,
    "not": _negate,
}
