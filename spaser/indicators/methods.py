"""Indicator computation methods: indicators are data (a method key and its parameters), the engine has one
code path per method. Each method validates its parameters here, so a scheme file or a form can refuse a
definition the engine could not compute."""

from dataclasses import dataclass

# Tri-state contract fields a share can be conditioned on (True / False / None = unknown).
CONTRACT_FLAGS = {
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
MEASURES = {"count": "en nombre", "amount": "en valeur"}
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


class InvalidParams(ValueError):
    """The parameters do not fit the method; the message is French and names the parameter."""


@dataclass(frozen=True)
class Method:
    key: str
    label: str
    version: str

    def validate(self, params: dict) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class ShareMethod(Method):
    """Share of contracts meeting a condition, in number or in value (domain.md §5)."""

    def validate(self, params: dict) -> None:
        if not isinstance(params, dict):
            raise InvalidParams("les paramètres doivent être un dictionnaire")
        unknown_keys = set(params) - {"measure", "condition", "include_frameworks"}
        if unknown_keys:
            raise InvalidParams(f"paramètre inconnu : {', '.join(sorted(unknown_keys))}")
        if params.get("measure") not in MEASURES:
            raise InvalidParams("« measure » doit valoir « count » (en nombre) ou « amount » (en valeur)")
        if params.get("condition") not in CONTRACT_FLAGS:
            raise InvalidParams(f"« condition » doit être l'une de : {', '.join(CONTRACT_FLAGS)}")
        if not isinstance(params.get("include_frameworks", False), bool):
            raise InvalidParams("« include_frameworks » doit valoir true ou false")


class ManualMethod(Method):
    """Values entered by people (input campaigns); nothing to compute."""

    def validate(self, params: dict) -> None:
        if params:
            raise InvalidParams("un indicateur saisi manuellement n'a pas de paramètres")


METHODS: dict[str, Method] = {
    "share": ShareMethod(key="share", label="Part des marchés remplissant une condition", version="share/1"),
    "manual": ManualMethod(key="manual", label="Saisie manuelle", version="manual/1"),
}


def validate_definition(method: str, params: dict) -> None:
    """Raise InvalidParams (French message) unless `method` is known and `params` fit it."""
    if method not in METHODS:
        raise InvalidParams(f"méthode de calcul inconnue « {method} » (connues : {', '.join(METHODS)})")
    METHODS[method].validate(params or {})
