"""The indicator catalogue of domain.md §6, as data: each code with its method and parameters when Spaser
has the data to compute it, or the reason it has not.

A scheme's own indicators carry their definition (method + parameters) in the register; this catalogue is
what `compute_indicators --buyer` uses for any buyer, whatever the organisations, what a new scheme can
start from, and what the demo scheme draws from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Eligible to an advance (R2191-3): over 50 000 € HT and over two months.
ADVANCE_ELIGIBLE = {"all": [{"field": "amount", "min": 50000.01}, {"field": "duration_months", "min": 3}]}
SINGLE_BID = {"field": "bids_received", "equals": 1}


@dataclass(frozen=True)
class Definition:
    code: str
    name: str
    method: str = "manual"
    params: dict = field(default_factory=dict)
    unit: str = "percent"
    missing: str = ""  # why Spaser cannot compute it (yet): shown as « pas de données : … »

    @property
    def computed(self) -> bool:
        return self.method != "manual" and not self.missing


def _share(code: str, name: str, measure: str, condition, **params) -> Definition:
    return Definition(code, name, "share", {"measure": measure, "condition": condition, **params})


CATALOGUE = [
    _share("S1", "Marchés avec au moins une considération sociale, en nombre", "count", "has_social"),
    _share("S2", "Marchés avec au moins une considération sociale, en valeur", "amount", "has_social"),
    _share("S3a", "Marchés avec une clause sociale d'exécution", "count", "social_clause"),
    _share("S3b", "Marchés avec un critère social d'attribution", "count", "social_criterion"),
    Definition("S4a", "Marchés réservés (L2113-12, -13, -15), en nombre", "total",
               {"measure": "count", "condition": "reserved"}, "count"),
    Definition("S4b", "Marchés réservés (L2113-12, -13, -15), en montant", "total",
               {"measure": "amount", "condition": "reserved"}, "euro"),
    Definition("S5a", "Heures d'insertion prévues", "hours", {"measure": "planned"}, "hours"),
    Definition("S5b", "Heures d'insertion réalisées", "hours", {"measure": "realised"}, "hours"),
    Definition("S5c", "Taux de réalisation des heures d'insertion", "hours", {"measure": "rate"}),
    Definition("S6a", "Personnes en parcours d'insertion", "people", {"measure": "all"}, "count"),
    Definition("S6b", "Personnes en parcours d'insertion : femmes", "people", {"measure": "women"}, "count"),
    Definition("S6c", "Personnes en parcours d'insertion : résidents du territoire", "people",
               {"measure": "residents"}, "count"),
    _share("S7", "Achats auprès de structures inclusives (SIAE, EA, ESAT), en valeur", "amount",
           {"supplier": "inclusive"}),
    Definition("S7b", "Achats auprès de structures inclusives (SIAE, EA, ESAT), en montant", "total",
               {"measure": "amount", "condition": {"supplier": "inclusive"}}, "euro"),
    _share("S8", "Achats auprès de l'économie sociale et solidaire, en valeur", "amount",
           {"supplier": "ess"}),
    Definition("S9", "Consultations avec un sourçage inclusif réalisé", unit="count"),
    _share("E1", "Marchés avec au moins une considération environnementale, en nombre", "count",
           "has_environmental"),
    _share("E2", "Marchés avec au moins une considération environnementale, en valeur", "amount",
           "has_environmental"),
    _share("E3a", "Marchés avec une clause environnementale d'exécution", "count", "environmental_clause"),
    _share("E3b", "Marchés avec un critère environnemental d'attribution", "count",
           "environmental_criterion"),
    Definition("E4", "Consultations lancées après le 22 août 2026 conformes à la loi Climat", "objects",
               {"object": "purchase_projects", "measure": "climate_conforming_share"}),
    Definition("E5", "Part de réemploi et de matières recyclées par catégorie AGEC"),
    Definition("E6", "Émissions de gaz à effet de serre estimées des achats", unit="tco2e",
               missing="dépenses par catégorie (données financières non importées)"),
    Definition("E7a", "Collèges : produits durables et de qualité (EGalim)"),
    Definition("E7b", "Collèges : produits biologiques (EGalim)"),
    Definition("E8", "Consultations dont la revue du besoin a couvert le carbone et l'énergie", "objects",
               {"object": "purchase_projects", "measure": "carbon_reviewed_share"}),
    _share("C1", "Marchés attribués à des PME, en nombre", "count", {"supplier": "sme"}),
    _share("C1b", "Marchés attribués à des PME, en valeur", "amount", {"supplier": "sme"}),
    Definition("C2", "Titulaires situés sur le territoire (département ou région)",
               missing="territoire à préciser : ajoutez l'indicateur au schéma avec le code du département "
               "(condition {supplier: located, departement: …})"),
    Definition("C3a", "Nombre moyen d'offres par marché", "mean", {"field": "bids_received"}, "count"),
    _share("C3b", "Marchés à offre unique", "count", SINGLE_BID),
    _share("C4a", "Marchés éligibles avec une avance attribuée", "count", "advance_granted",
           base=ADVANCE_ELIGIBLE),
    Definition("C4b", "Taux d'avance moyen (marchés éligibles)", "mean",
               {"field": "advance_rate", "base": ADVANCE_ELIGIBLE}),
    Definition("C4c", "Taux d'avance moyen des PME (marchés éligibles)", "mean",
               {"field": "advance_rate", "base": {"all": [ADVANCE_ELIGIBLE, {"supplier": "sme"}]}}),
    Definition("C5", "Délai global de paiement moyen", unit="days",
               missing="paiements (données financières non importées)"),
    _share("C6", "Marchés avec une sous-traitance déclarée", "count", "subcontracting_declared"),
    _share("C7", "Marchés innovants", "count", "innovative"),
    Definition("C8", "Procédures infructueuses ou sans suite (lots)",
               missing="lots infructueux ou sans suite (registre des procédures non importé)"),
    Definition("T1", "Renouvellements précédés d'une revue du besoin", "objects",
               {"object": "renewal_reviews", "measure": "reviewed_share"}),
    Definition("T2", "Besoins supprimés, réduits, mutualisés, loués ou réemployés après revue", "objects",
               {"object": "need_reviews", "measure": "changed_needs"}, "count"),
    Definition("T2b", "Montant évité après revue du besoin", "objects",
               {"object": "need_reviews", "measure": "avoided_amount"}, "euro"),
    Definition("T3", "Marchés arrivant à échéance dans 12 mois avec une revue planifiée", "objects",
               {"object": "renewal_reviews", "measure": "planned_share"}),
    Definition("T4", "Dossiers accompagnés par les directions ressources", "objects",
               {"object": "purchase_projects", "measure": "advised"}, "count"),
    Definition("T5a", "Plan d'actions : actions échues réalisées", "objects",
               {"object": "actions", "measure": "done_share"}),
    Definition("T5b", "Comités tenus (COTECH /12, COPIL /2)", "objects",
               {"object": "meetings", "measure": "held"}, "count"),
    Definition("T6", "Agents formés aux achats responsables", unit="count"),
    _share("T7a", "Marchés publiés dans les deux mois suivant leur notification", "count",
           {"published_within_days": 61}),
    _share("T7b", "Marchés dont les considérations sociales et environnementales sont renseignées", "count",
           {"all": [{"known": "has_social"}, {"known": "has_environmental"}]}),
]  # fmt: skip

BY_CODE = {definition.code: definition for definition in CATALOGUE}
COMPUTED = [definition for definition in CATALOGUE if definition.computed]
