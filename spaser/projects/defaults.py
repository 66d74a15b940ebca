"""Default referral rules and clause library of a new organisation: a starting point the pilot edits.

`seed_defaults(organisation, environment=..., insertion=..., purchasing=...)` takes the three resource
directions (ecological transition, insertion / employment / ESS, purchasing) and creates what is missing.

Idempotent, and respectful of the pilot's work: a default is identified by its name (rules) or its title
(clauses) in the organisation, **including in the history** — a default the pilot edited, renamed, deactivated
or deleted is never recreated nor overwritten. Running it twice creates nothing the second time.

Why these rules (every threshold is in € HT, on the estimated amount over the whole contract):
- insertion — services and works from 90 000 € (the threshold of the PNAD's national baseline and of the
  former compulsory publicity: below it an insertion clause brings few hours); cleaning (CPV 90), green spaces
  (77) and building works (45) whatever the amount, the three families where SIAE, EA and ESAT offer the most
  (Guide sur les aspects sociaux de la commande publique, DAJ); the same activities named in the object;
- environment — the families with the heaviest footprint or a legal obligation (AGEC décret 2024-134, REEN,
  EGalim, low-emission vehicles): works 45, vehicles 34, IT 30 and 48, food 15, furniture 39, energy 09,
  textiles 18, from 40 000 € (below, a purchase without publicity nor competition, R2122-8 CCP);
- purchasing — supplies and services from 215 000 € (about the EU threshold for local authorities, revised
  every two years) and works from 1 000 000 €: the procedure and the allotment then deserve the purchasing
  direction's review. « Every project ≥ 215 000 € » would make the works rule void, so the first rule is for
  supplies and services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from spaser.organisations.models import DirectionKind

from .models import ClauseKind, ClauseRecommendation, Nature, ReferralRule

ENVIRONMENT, INSERTION, PURCHASING = "environment", "insertion", "purchasing"
PART_LABELS = {
    ENVIRONMENT: "transition écologique",
    INSERTION: "insertion, emploi et ESS",
    PURCHASING: "achats",
}

# (part, name, CPV prefixes, natures, min amount, max amount, keywords, deadline in days)
RULES: tuple[tuple, ...] = (
    (
        INSERTION,
        "Services et travaux à partir de 90 000 € HT : clause d'insertion",
        "",
        [Nature.SERVICES, Nature.WORKS],
        Decimal("90000"),
        None,
        "",
        15,
    ),
    (
        INSERTION,
        "Nettoyage, espaces verts et bâtiment, quel que soit le montant",
        "90, 77, 45",
        [],
        None,
        None,
        "",
        15,
    ),
    (
        INSERTION,
        "Activités propices à l'insertion citées dans l'objet",
        "",
        [],
        None,
        None,
        "nettoyage, propreté, espaces verts, entretien des locaux, blanchisserie, déménagement, "
        "collecte, tri, reprographie, restauration",
        15,
    ),
    (
        ENVIRONMENT,
        "Familles à fort impact environnemental à partir de 40 000 € HT",
        "45, 34, 30, 48, 15, 39, 09, 18",
        [],
        Decimal("40000"),
        None,
        "",
        15,
    ),
    (
        ENVIRONMENT,
        "Énergie, véhicules et rénovation énergétique cités dans l'objet",
        "",
        [],
        Decimal("40000"),
        None,
        "énergie, énergétique, chauffage, électricité, véhicule, flotte, photovoltaïque",
        15,
    ),
    (
        PURCHASING,
        "Fournitures et services à partir de 215 000 € HT (seuil européen)",
        "",
        [Nature.SUPPLIES, Nature.SERVICES],
        Decimal("215000"),
        None,
        "",
        10,
    ),
    (
        PURCHASING,
        "Travaux à partir de 1 000 000 € HT",
        "",
        [Nature.WORKS],
        Decimal("1000000"),
        None,
        "",
        10,
    ),
)

FAMILIES = {
    "": "Tous les achats",
    "09": "Énergie",
    "15": "Denrées alimentaires",
    "18": "Textiles et vêtements de travail",
    "30": "Matériel informatique",
    "34": "Véhicules",
    "39": "Mobilier",
    "45": "Travaux de bâtiment et de génie civil",
    "48": "Logiciels et services numériques",
    "55": "Restauration collective",
    "77": "Espaces verts",
    "79": "Services intellectuels et aux entreprises",
    "90": "Nettoyage, propreté et déchets",
}

GUIDE_SOCIAL = "Guide sur les aspects sociaux de la commande publique (DAJ, 2022)"

# (CPV prefix, kind, title, text, suggested weight, source)
CLAUSES: tuple[tuple, ...] = (
    (
        "",
        ClauseKind.INSERTION_CLAUSE,
        "Clause d'insertion : 5 à 7 % des heures de main-d'œuvre",
        "Le titulaire réserve à des personnes éloignées de l'emploi au moins [5 à 7] % des heures de travail "
        "nécessaires à l'exécution du marché, soit [N] heures, par embauche directe ou par recours à une "
        "structure d'insertion par l'activité économique (SIAE) ou à un groupement d'employeurs (GEIQ). "
        "Le facilitateur de la clause l'accompagne et vérifie chaque trimestre les heures réalisées.",
        None,
        f"CCP art. L2112-2 (conditions d'exécution) ; {GUIDE_SOCIAL}",
    ),
    (
        "",
        ClauseKind.RESERVED_LOT,
        "Lot réservé aux structures d'insertion (SIAE)",
        "Le lot [n°] est réservé aux structures d'insertion par l'activité économique mentionnées à "
        "l'article L5132-4 du code du travail et aux structures équivalentes.",
        None,
        "CCP art. L2113-13",
    ),
    (
        "",
        ClauseKind.RESERVED_LOT,
        "Lot réservé aux entreprises adaptées et ESAT",
        "Le lot [n°] est réservé aux entreprises adaptées et aux établissements et services d'aide par le "
        "travail (ESAT), ainsi qu'aux structures équivalentes employant au moins 50 % de travailleurs "
        "handicapés.",
        None,
        "CCP art. L2113-12",
    ),
    (
        "",
        ClauseKind.SOURCING,
        "Sourcing inclusif avant la consultation",
        "Avant de lancer la consultation, recenser les SIAE, entreprises adaptées et ESAT capables de "
        "répondre (le marché de l'inclusion, réseaux GESAT et de l'insertion), les rencontrer et adapter "
        "l'allotissement et les délais de réponse à leurs capacités.",
        None,
        f"CCP art. R2111-1 (études et échanges préalables) ; {GUIDE_SOCIAL}",
    ),
    (
        "",
        ClauseKind.SME_LOTS,
        "Allotissement adapté aux PME",
        "Définir des lots dont le montant et le périmètre (géographique ou technique) sont accessibles aux "
        "petites et moyennes entreprises ; limiter le nombre de lots attribuables à un même candidat si la "
        "concurrence le justifie ; verser une avance d'au moins 10 % aux PME.",
        None,
        "CCP art. L2113-10, R2113-1 et R2191-7",
    ),
    (
        "",
        ClauseKind.SOCIAL_CRITERION,
        "Critère social : performance en matière d'insertion",
        "Performance en matière d'insertion professionnelle des publics en difficulté, appréciée au vu des "
        "moyens humains, de l'encadrement et de l'accompagnement proposés (mémoire technique, [10] %).",
        10,
        "CCP art. R2152-7, 2° a)",
    ),
    (
        "",
        ClauseKind.ENV_CLAUSE,
        "Condition d'exécution environnementale : emballages et livraisons",
        "Le titulaire réduit les emballages, reprend et valorise ceux qu'il livre, et regroupe les "
        "livraisons pour limiter les déplacements ; il en rend compte chaque année.",
        None,
        "CCP art. L2112-2 ; loi Climat et résilience n° 2021-1104, art. 35",
    ),
    (
        "",
        ClauseKind.ENV_CRITERION,
        "Critère environnemental : performance environnementale de l'offre",
        "Performance en matière de protection de l'environnement, appréciée au vu des mesures proposées pour "
        "réduire les consommations, les déchets et les émissions liés à l'exécution ([15] %).",
        15,
        "CCP art. R2152-7, 2° a) ; loi Climat et résilience n° 2021-1104, art. 35",
    ),
    (
        "45",
        ClauseKind.ENV_CLAUSE,
        "Chantier à faibles nuisances et tri des déchets à la source",
        "Le titulaire applique la charte chantier à faibles nuisances, trie les déchets à la source en au "
        "moins sept flux, fournit les bordereaux de suivi et s'appuie sur le diagnostic produits, "
        "équipements, matériaux et déchets (PEMD) pour orienter les matériaux vers le réemploi.",
        None,
        "Code de l'environnement art. L541-1 ; décret n° 2021-821 (diagnostic PEMD)",
    ),
    (
        "45",
        ClauseKind.ENV_CRITERION,
        "Critère : réemploi des matériaux et empreinte carbone du chantier",
        "Part de matériaux de réemploi ou biosourcés et méthode de réduction de l'empreinte carbone du "
        "chantier (transport, engins, matériaux), appréciées au vu d'un bilan prévisionnel ([15] %).",
        15,
        "Loi AGEC n° 2020-105 ; CCP art. R2152-7",
    ),
    (
        "45",
        ClauseKind.INSERTION_CLAUSE,
        "Clause d'insertion travaux : 7 % des heures du lot",
        "Pour chaque lot dont la main-d'œuvre le permet, au moins 7 % des heures travaillées sont réalisées "
        "par des personnes en parcours d'insertion ; le nombre d'heures est fixé par lot dans l'acte "
        "d'engagement.",
        None,
        f"CCP art. L2112-2 ; {GUIDE_SOCIAL}",
    ),
    (
        "90",
        ClauseKind.RESERVED_LOT,
        "Nettoyage des locaux réservé aux SIAE ou aux EA et ESAT",
        "Un lot de nettoyage (sites de taille moyenne, horaires de journée) est réservé aux structures "
        "d'insertion ou aux entreprises adaptées et ESAT.",
        None,
        "CCP art. L2113-12 et L2113-13",
    ),
    (
        "90",
        ClauseKind.ENV_CLAUSE,
        "Produits d'entretien écolabellisés et méthodes sans produit",
        "Les produits d'entretien portent l'Écolabel européen ou un label équivalent ; le nettoyage à la "
        "vapeur ou par microfibres est préféré ; les dosages sont maîtrisés et les agents formés.",
        None,
        "CCP art. R2111-12 à R2111-17 (labels)",
    ),
    (
        "90",
        ClauseKind.ENV_CRITERION,
        "Critère : valorisation des déchets collectés",
        "Taux de valorisation matière des déchets collectés et traçabilité des filières proposées ([20] %).",
        20,
        "Code de l'environnement art. L541-1 (hiérarchie des modes de traitement)",
    ),
    (
        "77",
        ClauseKind.ENV_CLAUSE,
        "Gestion différenciée sans produits phytopharmaceutiques",
        "L'entretien se fait sans produits phytopharmaceutiques de synthèse, en gestion différenciée "
        "(fauches tardives, paillage, essences locales), et les déchets verts sont valorisés sur place.",
        None,
        "Loi Labbé n° 2014-110 ; code rural art. L253-7",
    ),
    (
        "77",
        ClauseKind.RESERVED_LOT,
        "Entretien d'espaces verts réservé aux SIAE ou aux ESAT",
        "Un lot d'entretien courant des espaces verts est réservé aux structures d'insertion ou aux ESAT.",
        None,
        "CCP art. L2113-12 et L2113-13",
    ),
    (
        "15",
        ClauseKind.ENV_CLAUSE,
        "EGalim : 50 % de produits durables et de qualité dont 20 % bio",
        "Au moins 50 % en valeur des denrées livrées sont des produits durables et de qualité au sens de "
        "l'article L230-5-1 du code rural, dont au moins 20 % issus de l'agriculture biologique, et 60 % "
        "pour les viandes et poissons ; le titulaire fournit chaque trimestre l'état des achats.",
        None,
        "Code rural art. L230-5-1 (loi EGalim n° 2018-938) ; loi Climat et résilience, art. 257",
    ),
    (
        "15",
        ClauseKind.ENV_CRITERION,
        "Critère : approvisionnement direct et saisonnalité",
        "Performance en matière de développement des approvisionnements directs de produits de l'agriculture "
        "et de respect de la saisonnalité ([15] %).",
        15,
        "CCP art. R2152-7, 2° a)",
    ),
    (
        "55",
        ClauseKind.ENV_CLAUSE,
        "Restauration : lutte contre le gaspillage et sans plastique",
        "Le titulaire mesure le gaspillage alimentaire, propose un plan de réduction, donne les excédents, "
        "et n'utilise pas de contenants de cuisson, de réchauffe ou de service en plastique.",
        None,
        "Code de l'environnement art. L541-15-3 ; loi EGalim n° 2018-938, art. 28",
    ),
    (
        "55",
        ClauseKind.INSERTION_CLAUSE,
        "Clause d'insertion en restauration collective",
        "Au moins [5] % des heures de préparation et de service sont réalisées par des personnes en "
        "parcours d'insertion.",
        None,
        f"CCP art. L2112-2 ; {GUIDE_SOCIAL}",
    ),
    (
        "30",
        ClauseKind.ENV_CRITERION,
        "Critère : indice de réparabilité et de durabilité",
        "Indice de réparabilité (puis de durabilité) des équipements, disponibilité des pièces détachées et "
        "durée de la garantie ([15] %).",
        15,
        "Loi REEN n° 2021-1485, art. 15 ; code de l'environnement art. L541-9-2",
    ),
    (
        "30",
        ClauseKind.ENV_CLAUSE,
        "Matériel informatique reconditionné (part AGEC)",
        "Une part des équipements livrés est issue du réemploi ou de la réutilisation (reconditionnés "
        "garantis), conformément aux parts minimales fixées pour la catégorie.",
        None,
        "Loi AGEC n° 2020-105, art. 58 ; décret n° 2024-134",
    ),
    (
        "48",
        ClauseKind.ENV_CRITERION,
        "Critère : écoconception du service numérique",
        "Conformité au référentiel général d'écoconception de services numériques (RGESN) : déclaration "
        "d'écoconception, poids des pages, compatibilité avec les équipements anciens ([10] %).",
        10,
        "Loi REEN n° 2021-1485 ; RGESN (Arcep, Arcom, 2024)",
    ),
    (
        "34",
        ClauseKind.ENV_CLAUSE,
        "Véhicules à faibles et très faibles émissions",
        "Les véhicules livrés respectent la part minimale de véhicules à faibles et très faibles émissions "
        "applicable au renouvellement de la flotte de l'acheteur.",
        None,
        "Code de l'environnement art. L224-7 et L224-8 ; décret n° 2021-1497",
    ),
    (
        "34",
        ClauseKind.ENV_CRITERION,
        "Critère : coût du cycle de vie du véhicule",
        "Coût du cycle de vie comprenant la consommation d'énergie et les émissions de CO2 et de polluants "
        "sur la durée d'utilisation ([20] %).",
        20,
        "CCP art. R2152-9 et R2152-10 (coût du cycle de vie)",
    ),
    (
        "39",
        ClauseKind.ENV_CLAUSE,
        "Mobilier de réemploi ou à contenu recyclé (AGEC)",
        "Une part du mobilier livré est issue du réemploi, de la réutilisation ou intègre des matières "
        "recyclées, conformément aux parts minimales fixées pour la catégorie mobilier.",
        None,
        "Loi AGEC n° 2020-105, art. 58 ; décret n° 2024-134",
    ),
    (
        "39",
        ClauseKind.RESERVED_LOT,
        "Remise en état du mobilier par une entreprise adaptée ou un ESAT",
        "Un lot de réparation et de remise en état du mobilier existant est réservé aux entreprises "
        "adaptées et aux ESAT.",
        None,
        "CCP art. L2113-12",
    ),
    (
        "18",
        ClauseKind.ENV_CLAUSE,
        "Textiles : fibres recyclées ou labellisées",
        "Les vêtements de travail intègrent des fibres recyclées ou portent l'Écolabel européen ou un label "
        "équivalent ; le titulaire reprend les vêtements usagés pour réemploi ou recyclage.",
        None,
        "Décret n° 2024-134 (catégorie textiles) ; CCP art. R2111-12 (labels)",
    ),
    (
        "18",
        ClauseKind.SOCIAL_CRITERION,
        "Critère : conditions de travail dans la chaîne d'approvisionnement",
        "Mesures de traçabilité et de contrôle du respect des conventions fondamentales de l'OIT dans la "
        "chaîne de fabrication ([10] %).",
        10,
        "CCP art. R2152-7, 2° a) ; loi n° 2017-399 (devoir de vigilance)",
    ),
    (
        "79",
        ClauseKind.INSERTION_CLAUSE,
        "Insertion en prestations intellectuelles : alternance et stages",
        "Le titulaire accueille pendant l'exécution [N] personnes en alternance, en stage ou en parcours "
        "d'insertion, avec un tuteur désigné, pour un volume équivalent à [N] heures.",
        None,
        GUIDE_SOCIAL,
    ),
    (
        "79",
        ClauseKind.SME_LOTS,
        "Lots par compétence accessibles aux PME et aux indépendants",
        "Découper les prestations intellectuelles par compétence ou par livrable, avec des références "
        "demandées proportionnées au montant du lot.",
        None,
        "CCP art. L2113-10 et L2142-1",
    ),
    (
        "09",
        ClauseKind.ENV_CLAUSE,
        "Électricité d'origine renouvelable garantie",
        "Au moins [50] % de l'électricité fournie est d'origine renouvelable, attestée par des garanties "
        "d'origine annulées au nom de l'acheteur.",
        None,
        "Code de l'énergie art. L314-14 (garanties d'origine)",
    ),
)


@dataclass
class SeedReport:
    rules: list[ReferralRule] = field(default_factory=list)
    clauses: list[ClauseRecommendation] = field(default_factory=list)


def _check_directions(organisation, directions: dict) -> None:
    errors = []
    for part, direction in directions.items():
        label = PART_LABELS[part]
        if direction is None:
            errors.append(f"Direction {label} : choisissez-la.")
        elif direction.organisation_id != organisation.pk or direction.kind != DirectionKind.RESOURCE:
            errors.append(f"Direction {label} : ce doit être une direction ressource de l'organisation.")
    if errors:
        raise ValidationError(errors)


def _known(model, organisation, attribute: str) -> set[str]:
    """Names ever used in the organisation: the current rows and every historical version."""
    current = model.objects.filter(organisation=organisation).values_list(attribute, flat=True)
    past = model.history.filter(organisation_id=organisation.pk).values_list(attribute, flat=True)
    return set(current) | set(past)


@transaction.atomic
def seed_defaults_report(organisation, *, environment, insertion, purchasing) -> SeedReport:
    """Create the missing default rules and clauses; returns what was created."""
    directions = {ENVIRONMENT: environment, INSERTION: insertion, PURCHASING: purchasing}
    _check_directions(organisation, directions)
    report = SeedReport()
    known_rules = _known(ReferralRule, organisation, "name")
    for part, name, prefixes, natures, min_amount, max_amount, keywords, days in RULES:
        if name in known_rules:
            continue
        rule = ReferralRule(
            organisation=organisation,
            resource_direction=directions[part],
            name=name,
            cpv_prefixes=prefixes,
            natures=[str(n) for n in natures],
            min_amount=min_amount,
            max_amount=max_amount,
            keywords=keywords,
            deadline_days=days,
        )
        rule.full_clean()
        rule.save()
        report.rules.append(rule)
    known_clauses = _known(ClauseRecommendation, organisation, "title")
    for prefix, kind, title, text, weight, source in CLAUSES:
        if title in known_clauses:
            continue
        clause = ClauseRecommendation(
            organisation=organisation,
            cpv_prefix=prefix,
            family=FAMILIES[prefix],
            kind=kind,
            title=title,
            text=text,
            suggested_weight=weight,
            source=source,
        )
        clause.full_clean()
        clause.save()
        report.clauses.append(clause)
    return report


def seed_defaults(organisation, *, environment, insertion, purchasing) -> tuple[int, int]:
    """(rules created, clauses created) — see the module docstring."""
    report = seed_defaults_report(
        organisation, environment=environment, insertion=insertion, purchasing=purchasing
    )
    return len(report.rules), len(report.clauses)
