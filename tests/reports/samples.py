"""A realistic annual report content (schema « spaser-report/1 », r7-common / docs/reports.md) for the
rendering tests and the views' tests: three axes, percent / euro / hours / days / count indicators, one
without data, one without target, misses and successes, national targets, actions done and late, meetings,
and an erratum variant. Built by hand, never from the database: the renderers read the dict alone."""

from __future__ import annotations

import copy

PNAD_SOCIAL = "PNAD 2022-2025 : 30 % des contrats avec une considération sociale"
PNAD_ENVIRONMENTAL = "PNAD 2022-2025 : 100 % des contrats avec une considération environnementale"
EGALIM_QUALITY = "EGalim : 50 % de produits durables et de qualité"
EGALIM_ORGANIC = "EGalim : 20 % de produits biologiques"
PAYMENT_DELAY = "Code de la commande publique : paiement sous 30 jours"

STATUS_LABELS = {
    "reached": "Atteint",
    "on_track": "En bonne voie",
    "at_risk": "À surveiller",
    "off_track": "En retard",
    "no_data": "Pas de données",
    "no_target": "Sans cible",
}
ACTION_LABELS = {
    "planned": "Prévue",
    "in_progress": "En cours",
    "done": "Réalisée",
    "abandoned": "Abandonnée",
}
UNIT_LABELS = {"percent": "%", "count": "nombre", "euro": "€", "hours": "heures", "days": "jours"}
DECP = "Données essentielles de la commande publique (DECP)"


def _indicator(code: str, name: str, unit: str, value, target, status: str, **extra) -> dict:
    row = {
        "code": code,
        "name": name,
        "definition": extra.pop("definition", f"{name}, sur les marchés notifiés dans l'année."),
        "unit": unit,
        "unit_label": UNIT_LABELS[unit],
        "manual": False,
        "value": value,
        "target": target,
        "target_label": "cible de l'année" if target is not None else "",
        "status": status,
        "status_label": STATUS_LABELS[status],
        "previous_value": None,
        "difference": None,
        "numerator": None,
        "denominator": None,
        "numerator_in_euros": False,
        "denominator_in_euros": False,
        "unknown": 0,
        "unknown_share": None,
        "perimeter": "marchés notifiés de plus de 40 000 € HT",
        "data_date": "2025-12-31",
        "method_version": "1",
        "source": DECP,
        "national_target": None,
    }
    row.update(extra)
    return row


def _action(title: str, direction: str, due: str, status: str, progress: int, *, late: bool = False) -> dict:
    return {
        "title": title,
        "owner_direction": direction,
        "due_date": due,
        "status": status,
        "status_label": ACTION_LABELS[status],
        "progress": progress,
        "late": late,
    }


def _axes() -> list[dict]:
    s1 = _indicator(
        "S1",
        "Part des marchés avec une considération sociale",
        "percent",
        "26.4",
        "30",
        "at_risk",
        previous_value="22.1",
        difference="4.3",
        numerator="33",
        denominator="125",
        unknown=4,
        unknown_share="3.2",
        national_target={"value": "30", "source": PNAD_SOCIAL},
    )
    i3 = _indicator(
        "I3",
        "Heures d'insertion réalisées",
        "hours",
        "48250.5",
        "45000",
        "reached",
        previous_value="41200",
        difference="7050.5",
        perimeter="registre des heures d'insertion des marchés en exécution",
        data_date="2025-12-15",
        source="Registre des heures d'insertion (facilitateurs)",
    )
    s3 = _indicator(
        "S3",
        "Part des montants attribués aux structures d'insertion et du handicap",
        "percent",
        "1.8",
        "5",
        "off_track",
        previous_value="2.4",
        difference="-0.6",
        numerator="1845000.5",
        denominator="102500000",
        numerator_in_euros=True,
        denominator_in_euros=True,
        unknown=12,
        unknown_share="9.6",
    )
    s4 = _indicator(
        "S4",
        "Nombre de lots réservés",
        "count",
        "7",
        None,
        "no_target",
        previous_value="5",
        difference="2",
    )
    e1 = _indicator(
        "E1",
        "Part des marchés avec une considération environnementale",
        "percent",
        "55",
        "80",
        "off_track",
        previous_value="48.5",
        difference="6.5",
        numerator="66",
        denominator="120",
        unknown=9,
        unknown_share="7.0",
        national_target={"value": "100", "source": PNAD_ENVIRONMENTAL},
    )
    e2 = _indicator(
        "E2",
        "Part des marchés avec un critère environnemental",
        "percent",
        "41.5",
        "40",
        "reached",
        previous_value="35",
        difference="6.5",
        numerator="49",
        denominator="118",
        national_target={"value": "100", "source": PNAD_ENVIRONMENTAL},
    )
    e7a = _indicator(
        "E7a",
        "Part des produits durables et de qualité en restauration collective",
        "percent",
        None,
        "50",
        "no_data",
        manual=True,
        perimeter="restauration des collèges",
        data_date=None,
        method_version="",
        source="Saisie de la direction de l'éducation (campagne 2025)",
        national_target={"value": "50", "source": EGALIM_QUALITY},
    )
    e7b = _indicator(
        "E7b",
        "Part des produits biologiques en restauration collective",
        "percent",
        "21.3",
        "20",
        "reached",
        manual=True,
        previous_value="18",
        difference="3.3",
        perimeter="restauration des collèges",
        data_date="2025-11-30",
        source="Saisie de la direction de l'éducation (campagne 2025)",
        national_target={"value": "20", "source": EGALIM_ORGANIC},
    )
    c1 = _indicator(
        "C1",
        "Part des montants attribués aux PME",
        "percent",
        "38.2",
        "40",
        "on_track",
        previous_value="39",
        difference="-0.8",
        numerator="39155000",
        denominator="102500000",
        numerator_in_euros=True,
        denominator_in_euros=True,
        unknown=3,
        unknown_share="2.4",
    )
    c2 = _indicator(
        "C2",
        "Montant des avances versées aux titulaires",
        "euro",
        "1250000",
        "1500000",
        "at_risk",
        manual=True,
        previous_value="980000",
        difference="270000",
        perimeter="marchés de travaux et de services",
        data_date="2025-12-20",
        source="Saisie de la direction des finances (campagne 2025)",
    )
    c5 = _indicator(
        "C5",
        "Délai global de paiement moyen",
        "days",
        "27.4",
        "30",
        "reached",
        manual=True,
        previous_value="31.2",
        difference="-3.8",
        perimeter="factures payées dans l'année",
        data_date="2025-12-31",
        source="Saisie de la direction des finances (campagne 2025)",
        national_target={"value": "30", "source": PAYMENT_DELAY},
    )
    return [
        {
            "code": "I",
            "title": "Des achats socialement responsables",
            "description": "Faire de la commande publique un levier d'insertion et d'emploi.",
            "commitments": [
                {
                    "code": "I.1",
                    "title": "Généraliser les clauses sociales",
                    "indicators": [s1, i3],
                    "actions": [
                        _action(
                            "Former les acheteurs aux clauses sociales",
                            "Direction de la commande publique",
                            "2025-06-30",
                            "done",
                            100,
                        ),
                        _action(
                            "Recruter un second facilitateur de clauses",
                            "Direction de l'emploi et de l'insertion",
                            "2025-09-30",
                            "in_progress",
                            60,
                            late=True,
                        ),
                    ],
                },
                {
                    "code": "I.2",
                    "title": "Ouvrir la commande aux structures d'insertion et du handicap",
                    "indicators": [s3, s4],
                    "actions": [
                        _action(
                            "Cartographier les SIAE et EA du territoire",
                            "Direction de l'emploi et de l'insertion",
                            "2026-03-31",
                            "planned",
                            0,
                        ),
                    ],
                },
            ],
        },
        {
            "code": "II",
            "title": "Des achats écologiquement responsables",
            "description": "Réduire l'empreinte environnementale des achats du Département.",
            "commitments": [
                {
                    "code": "II.1",
                    "title": "Intégrer l'environnement dans chaque consultation",
                    "indicators": [e1, e2],
                    "actions": [
                        _action(
                            "Publier un guide des critères environnementaux",
                            "Délégation à la transition écologique",
                            "2025-04-30",
                            "done",
                            100,
                        ),
                        _action(
                            "Mettre en place une revue environnementale des cahiers des charges",
                            "Délégation à la transition écologique",
                            "2025-10-31",
                            "in_progress",
                            30,
                            late=True,
                        ),
                    ],
                },
                {
                    "code": "II.2",
                    "title": "Une restauration collective durable",
                    "indicators": [e7a, e7b],
                    "actions": [],
                },
            ],
        },
        {
            "code": "III",
            "title": "Une commande publique accessible aux entreprises",
            "description": "Faciliter l'accès des PME et payer dans les délais.",
            "commitments": [
                {
                    "code": "III.1",
                    "title": "Faciliter l'accès des PME",
                    "indicators": [c1, c2],
                    "actions": [
                        _action(
                            "Allotir systématiquement les marchés de travaux",
                            "Direction des bâtiments",
                            "2025-12-31",
                            "abandoned",
                            20,
                        ),
                    ],
                },
                {
                    "code": "III.2",
                    "title": "Payer les entreprises dans les délais",
                    "indicators": [c5],
                    "actions": [
                        _action(
                            "Dématérialiser la chaîne de paiement",
                            "Direction des finances",
                            "2025-03-31",
                            "done",
                            100,
                        ),
                    ],
                },
            ],
        },
    ]


def sample_content(*, erratum: bool = False, draft: bool = False) -> dict:
    """A published version 1 by default; `erratum=True` gives the corrected version 2 (with its erratum and
    the corrected S4 value); `draft=True` a draft preview (no version, no publication, no validation)."""
    axes = _axes()
    indicators = [
        row for axis in axes for commitment in axis["commitments"] for row in commitment["indicators"]
    ]
    counts = dict.fromkeys(("reached", "on_track", "at_risk", "off_track", "no_target", "no_data"), 0)
    for row in indicators:
        counts[row["status"]] += 1
    content = {
        "schema": "spaser-report/1",
        "year": 2025,
        "version": 1,
        "status": "published",
        "erratum": "",
        "published_on": "2026-03-20",
        "generated_at": "2026-03-02T10:15:00+01:00",
        "data_date": "2025-12-31",
        "organisation": {
            "name": "Département de la Seine-Saint-Denis",
            "siren": "229300082",
            "kind_label": "Département",
        },
        "scheme": {
            "slug": "spaser-93",
            "title": "SPASER 2024-2028",
            "period_start": 2024,
            "period_end": 2028,
            "adoption_date": "2024-02-15",
            "public_url": "https://seinesaintdenis.fr/spaser",
            "summary": (
                "Le schéma engage le Département sur trois axes : social, environnemental et économique."
            ),
        },
        "perimeter": {
            "text": "Marchés notifiés du 1er janvier au 31 décembre 2025 par les acheteurs du périmètre.",
            "buyers": [
                {"name": "Département de la Seine-Saint-Denis", "identifier": "22930008200015"},
                {"name": "Seine-Saint-Denis Habitat", "identifier": "27930001200012"},
            ],
        },
        "validation": {
            "meeting_date": "2026-03-12",
            "committee": "COPIL achats responsables",
            "decision": "Le COPIL valide la revue annuelle 2025 et le rapport qui la présente.",
        },
        "summary": {"total": len(indicators), "counts": counts, "labels": dict(STATUS_LABELS)},
        "axes": axes,
        "actions": {
            "done": [
                {
                    "title": "Dématérialiser la chaîne de paiement",
                    "commitment": "III.2 — Payer les entreprises dans les délais",
                    "owner_direction": "Direction des finances",
                    "due_date": "2025-03-31",
                    "progress": 100,
                },
                {
                    "title": "Publier un guide des critères environnementaux",
                    "commitment": "II.1 — Intégrer l'environnement dans chaque consultation",
                    "owner_direction": "Délégation à la transition écologique",
                    "due_date": "2025-04-30",
                    "progress": 100,
                },
                {
                    "title": "Former les acheteurs aux clauses sociales",
                    "commitment": "I.1 — Généraliser les clauses sociales",
                    "owner_direction": "Direction de la commande publique",
                    "due_date": "2025-06-30",
                    "progress": 100,
                },
            ],
            "late": [
                {
                    "title": "Recruter un second facilitateur de clauses",
                    "commitment": "I.1 — Généraliser les clauses sociales",
                    "owner_direction": "Direction de l'emploi et de l'insertion",
                    "due_date": "2025-09-30",
                    "progress": 60,
                    "days_late": 92,
                },
                {
                    "title": "Mettre en place une revue environnementale des cahiers des charges",
                    "commitment": "II.1 — Intégrer l'environnement dans chaque consultation",
                    "owner_direction": "Délégation à la transition écologique",
                    "due_date": "2025-10-31",
                    "progress": 30,
                    "days_late": 61,
                },
            ],
            "counts": {"total": 7, "done": 3, "late": 2, "in_progress": 2, "planned": 1, "abandoned": 1},
        },
        "governance": {
            "meetings": [
                {
                    "committee": "COTECH achats responsables",
                    "kind": "cotech",
                    "date": f"2025-{month:02d}-10",
                    "status": "held" if month not in (4, 8, 11) else "cancelled",
                    "status_label": "Tenue" if month not in (4, 8, 11) else "Annulée",
                }
                for month in range(1, 13)
            ]
            + [
                {
                    "committee": "COPIL achats responsables",
                    "kind": "copil",
                    "date": "2025-06-19",
                    "status": "held",
                    "status_label": "Tenue",
                },
            ],
            "held": {"cotech": 9, "copil": 1},
            "expected": {"cotech": 12, "copil": 2},
        },
        "national": [
            {
                "code": row["code"],
                "name": row["name"],
                "unit": row["unit"],
                "value": row["value"],
                "national_target": row["national_target"]["value"],
                "source": row["national_target"]["source"],
                "status": row["status"],
            }
            for row in indicators
            if row["national_target"]
        ],
        "method": {
            "counting_rules": [
                "Un marché est compté une fois, à sa date de notification, quel que soit le nombre de ses "
                "titulaires ; ses modifications ne le recomptent pas.",
                "Les montants sont ceux notifiés, hors taxes ; un accord-cadre sans montant est compté dans "
                "les effectifs mais pas dans les montants.",
                "Un marché dont la considération n'est pas renseignée est « inconnu » : il reste au "
                "dénominateur et n'est jamais compté comme « non ».",
            ],
            "notes": [
                "Les valeurs sont celles calculées au 31/12/2025 et validées par le COPIL.",
                "Les indicateurs saisis par les directions (restauration, paiement) sont déclaratifs.",
            ],
        },
    }
    if erratum:
        content.update(
            version=2,
            erratum=(
                "Le nombre de lots réservés (S4) était de 7 et non de 5 en 2024 : l'évolution est corrigée."
            ),
            published_on="2026-04-02",
            generated_at="2026-03-30T16:40:00+02:00",
        )
        s4 = content["axes"][0]["commitments"][1]["indicators"][1]
        s4.update(previous_value="7", difference="0")
    if draft:
        content.update(version=None, status="draft", published_on=None, validation=None)
    return copy.deepcopy(content)


def big_content(*, commitments_per_axis: int = 8, indicators_per_commitment: int = 6) -> dict:
    """A large report (three axes, many commitments and indicators) to measure rendering times."""
    content = sample_content()
    for axis in content["axes"]:
        model = axis["commitments"][0]
        axis["commitments"] = []
        for index in range(commitments_per_axis):
            commitment = copy.deepcopy(model)
            commitment["code"] = f"{axis['code']}.{index + 1}"
            commitment["title"] = f"{model['title']} ({index + 1})"
            rows = []
            for number in range(indicators_per_commitment):
                row = copy.deepcopy(model["indicators"][number % len(model["indicators"])])
                row["code"] = f"{row['code']}-{index + 1}-{number + 1}"
                rows.append(row)
            commitment["indicators"] = rows
            commitment["actions"] = model["actions"] * 2
            axis["commitments"].append(commitment)
    total = sum(len(c["indicators"]) for a in content["axes"] for c in a["commitments"])
    counts = dict.fromkeys(content["summary"]["counts"], 0)
    for axis in content["axes"]:
        for commitment in axis["commitments"]:
            for row in commitment["indicators"]:
                counts[row["status"]] += 1
    content["summary"].update(total=total, counts=counts)
    return content
