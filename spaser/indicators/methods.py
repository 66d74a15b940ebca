"""Indicator computation methods, as data: an indicator names a method key and gives its parameters; each
method validates them here (French messages naming the parameter), so a scheme file or a form refuses a
definition the engine could not compute, and describes them in words for the method notes.

- share: share of contracts meeting a condition, in number or value (%) — measure, condition, base,
  include_frameworks, amount;
- total: number of contracts, or their amount, meeting a condition — same parameters;
- mean: mean of a contract number field (bids, advance rate…) — field, base;
- hours: insertion hours planned, realised, or the realisation rate — measure;
- people: insertion participants (distinct people), of whom women or residents — measure;
- objects: Spaser's own objects (actions of the plan…) — object, measure;
- manual: values entered by the directions (input campaigns).

The engine (engine.py) has one code path per method; conditions are described in conditions.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .conditions import FLAGS, NUMBER_FIELDS, Condition, compile_condition
from .errors import InvalidParams

CONTRACT_FLAGS = FLAGS  # the tri-state contract fields a share is most often conditioned on
MEASURES = {"count": "en nombre", "amount": "en valeur"}
AMOUNTS = {"initial": "montant initial notifié", "current": "montant actuel (après modifications)"}
MEAN_FIELDS = {"bids_received", "advance_rate", "duration_months", "current_duration_months", "amount"}
HOURS_MEASURES = {
    "planned": "heures d'insertion prévues",
    "realised": "heures d'insertion réalisées",
    "rate": "taux de réalisation des heures d'insertion",
}
PEOPLE_MEASURES = {
    "all": "personnes en parcours d'insertion (distinctes)",
    "women": "dont femmes",
    "residents": "dont résidents du territoire",
}
# Short words for chart labels, where the full phrase does not fit.
SHORT_FLAGS = {
    "has_social": "social",
    "social_clause": "clause sociale",
    "social_criterion": "critère social",
    "reserved": "réservé",
    "has_environmental": "environnemental",
    "environmental_clause": "clause env.",
    "environmental_criterion": "critère env.",
    "innovative": "innovant",
    "subcontracting_declared": "sous-traitance",
    "advance_granted": "avance",
}


@dataclass(frozen=True)
class Method:
    key: str
    label: str
    version: str
    allowed: frozenset[str] = field(default_factory=frozenset)
    unit: str = "percent"  # the unit its values have, unless the parameters say otherwise (`unit_for`)

    def validate(self, params: dict) -> None:
        if not isinstance(params, dict):
            raise InvalidParams("les paramètres doivent être un dictionnaire")
        unknown_keys = set(params) - self.allowed
        if unknown_keys:
            raise InvalidParams(f"paramètre inconnu : {', '.join(sorted(unknown_keys))}")
        self.check(params)

    def check(self, params: dict) -> None:
        """Method-specific checks (after the keys)."""

    def describe(self, params: dict) -> list[tuple[str, str]]:
        return []

    def unit_for(self, params: dict) -> str:
        return self.unit


def _choice(params: dict, name: str, choices: dict | set, *, default: str | None = None) -> str:
    value = params.get(name, default)
    if value not in choices:
        listed = " ou ".join(f"« {key} »" for key in choices)
        raise InvalidParams(f"« {name} » doit valoir {listed}")
    return value


def _bool(params: dict, name: str) -> None:
    if not isinstance(params.get(name, False), bool):
        raise InvalidParams(f"« {name} » doit valoir true ou false")


class ContractShareMethod(Method):
    """Contracts meeting a condition among the contracts of the perimeter (optionally restricted by
    `base`), in number (`measure: count`) or in value (`measure: amount`, the `amount` initial or current).
    In value, framework agreements are left out unless `include_frameworks` (their amount is a maximum)."""

    def check(self, params: dict) -> None:
        _choice(params, "measure", MEASURES)
        _choice(params, "amount", AMOUNTS, default="initial")
        _bool(params, "include_frameworks")
        if "condition" not in params and self.key == "share":
            raise InvalidParams("« condition » manque : que compte le numérateur ?")
        if "condition" in params:
            compile_condition(params["condition"], "condition")
        if "base" in params:
            compile_condition(params["base"], "base")

    def describe(self, params: dict) -> list[tuple[str, str]]:
        lines = [("Mesure", MEASURES.get(params.get("measure"), "?"))]
        if params.get("measure") == "amount":
            lines.append(("Montant", AMOUNTS[params.get("amount", "initial")]))
            frameworks = "comptés" if params.get("include_frameworks") else "exclus (montant maximum)"
            lines.append(("Accords-cadres", frameworks))
        if "condition" in params:
            lines.append(("Condition", f"marchés avec {condition_of(params).label}"))
        if "base" in params:
            lines.append(("Restreint à", f"marchés avec {compile_condition(params['base'], 'base').label}"))
        return lines

    def unit_for(self, params: dict) -> str:
        if self.key == "share":
            return "percent"
        return "euro" if params.get("measure") == "amount" else "count"


class MeanMethod(Method):
    """Mean of a number field over the contracts where it is known (the others are unknowns)."""

    def check(self, params: dict) -> None:
        if params.get("field") not in MEAN_FIELDS:
            raise InvalidParams(f"« field » doit être l'un de : {', '.join(sorted(MEAN_FIELDS))}")
        if "base" in params:
            compile_condition(params["base"], "base")

    def describe(self, params: dict) -> list[tuple[str, str]]:
        lines = [("Moyenne de", NUMBER_FIELDS.get(params.get("field"), "?"))]
        if "base" in params:
            lines.append(("Restreint à", f"marchés avec {compile_condition(params['base'], 'base').label}"))
        return lines

    def unit_for(self, params: dict) -> str:
        return {"advance_rate": "percent", "amount": "euro", "bids_received": "count"}.get(
            params.get("field"), "count"
        )


class HoursMethod(Method):
    def check(self, params: dict) -> None:
        _choice(params, "measure", HOURS_MEASURES)

    def describe(self, params: dict) -> list[tuple[str, str]]:
        return [("Mesure", HOURS_MEASURES.get(params.get("measure"), "?"))]

    def unit_for(self, params: dict) -> str:
        return "percent" if params.get("measure") == "rate" else "hours"


class PeopleMethod(Method):
    def check(self, params: dict) -> None:
        _choice(params, "measure", PEOPLE_MEASURES)

    def describe(self, params: dict) -> list[tuple[str, str]]:
        return [("Mesure", PEOPLE_MEASURES.get(params.get("measure"), "?"))]


class ObjectsMethod(Method):
    """Counts over Spaser's own objects; the countable objects are registered by their apps (objects.py)."""

    def check(self, params: dict) -> None:
        from .objects import COUNTABLES

        countable = COUNTABLES.get(params.get("object"))
        if countable is None:
            raise InvalidParams(f"« object » doit être l'un de : {', '.join(COUNTABLES)}")
        _choice(params, "measure", countable.measures)

    def describe(self, params: dict) -> list[tuple[str, str]]:
        from .objects import COUNTABLES

        countable = COUNTABLES.get(params.get("object"))
        if countable is None:
            return []
        return [
            ("Objets comptés", countable.label),
            ("Mesure", countable.measures.get(params.get("measure"), "?")),
        ]

    def unit_for(self, params: dict) -> str:
        from .objects import COUNTABLES

        countable = COUNTABLES.get(params.get("object"))
        return countable.units.get(params.get("measure"), "count") if countable else "count"


class ManualMethod(Method):
    """Values entered by the directions in input campaigns and validated by the pilot."""

    def validate(self, params: dict) -> None:
        if params:
            raise InvalidParams("un indicateur saisi manuellement n'a pas de paramètres")


CONTRACT_KEYS = frozenset({"measure", "condition", "base", "include_frameworks", "amount"})
_OBJECT_KEYS = frozenset({"object", "measure"})
METHODS: dict[str, Method] = {
    method.key: method
    for method in (
        ContractShareMethod("share", "Part des marchés remplissant une condition", "share/1", CONTRACT_KEYS),
        ContractShareMethod(
            "total",
            "Nombre ou montant des marchés remplissant une condition",
            "total/1",
            CONTRACT_KEYS,
            "count",
        ),
        MeanMethod(
            "mean", "Moyenne d'une donnée des marchés", "mean/1", frozenset({"field", "base"}), "count"
        ),
        HoursMethod("hours", "Heures d'insertion", "hours/1", frozenset({"measure"}), "hours"),
        PeopleMethod(
            "people", "Personnes en parcours d'insertion", "people/1", frozenset({"measure"}), "count"
        ),
        ObjectsMethod("objects", "Décompte d'objets suivis dans Spaser", "objects/1", _OBJECT_KEYS, "count"),
        ManualMethod("manual", "Saisie manuelle", "manual/1"),
    )
}


def validate_definition(method: str, params: dict) -> None:
    """Raise InvalidParams (French message) unless `method` is known and `params` fit it."""
    if method not in METHODS:
        raise InvalidParams(f"méthode de calcul inconnue « {method} » (connues : {', '.join(METHODS)})")
    METHODS[method].validate(params or {})


def condition_of(params: dict[str, Any]) -> Condition:
    return compile_condition(params["condition"], "condition")


def describe_definition(method: str, params: dict) -> list[tuple[str, str]]:
    """The method and its parameters in words (French), for the register and the method notes."""
    known = METHODS.get(method)
    if known is None:
        return [("Méthode", method)]
    try:
        known.validate(params or {})
    except InvalidParams as error:
        return [("Méthode", known.label), ("Paramètres invalides", str(error))]
    return [("Méthode", known.label), *known.describe(params or {})]
