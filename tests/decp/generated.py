"""Generated 2022-format DECP files of any size, written as a stream (for memory tests and the reader
benchmark). Deterministic: record i is always the same. Not real data: fictitious ids and amounts."""

from __future__ import annotations

from pathlib import Path

import orjson

BUYER = "22930008201453"
SUPPLIERS = ("32933888305269", "05420224700026", "35600000052135", "44306184100047")
CPVS = ("45111100", "45233140", "90911200", "79100000", "30192700")


def record(index: int) -> dict:
    day = 1 + index % 28
    month = 1 + index % 12
    social = ("Clause sociale",) if index % 3 == 0 else ("Pas de considération sociale",)
    return {
        "id": f"G{index:09d}",
        "acheteur": {"id": BUYER},
        "nature": "Marché",
        "objet": f"Travaux d'entretien des bâtiments départementaux — lot {index % 7 + 1}",
        "codeCPV": CPVS[index % len(CPVS)],
        "techniques": {"technique": ["Accord-cadre" if index % 5 == 0 else "Sans objet"]},
        "modalitesExecution": {"modaliteExecution": ["Sans objet"]},
        "marcheInnovant": False,
        "ccag": "Travaux",
        "offresRecues": 1 + index % 9,
        "attributionAvance": index % 2 == 0,
        "tauxAvance": 0.05 if index % 2 == 0 else 0,
        "typeGroupementOperateurs": "Pas de groupement",
        "sousTraitanceDeclaree": index % 4 == 0,
        "procedure": "Procédure adaptée",
        "lieuExecution": {"code": "93", "typeCode": "Code département"},
        "dureeMois": 1 + index % 48,
        "dateNotification": f"2024-{month:02d}-{day:02d}",
        "datePublicationDonnees": f"2024-{month:02d}-{day:02d}",
        "montant": 40000 + (index * 7919) % 3_000_000 + 0.5,
        "typesPrix": {"typePrix": ["Définitif ferme"]},
        "formePrix": "Forfaitaire",
        "considerationsSociales": {"considerationSociale": list(social)},
        "considerationsEnvironnementales": {"considerationEnvironnementale": ["Clause environnementale"]},
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": SUPPLIERS[index % len(SUPPLIERS)]}}],
    }


def write_2022(path: Path, count: int, *, indent: bool = True) -> Path:
    option = orjson.OPT_INDENT_2 if indent else 0
    with open(path, "wb") as file:
        file.write(b'{"marches": {"marche": [\n')
        for index in range(count):
            if index:
                file.write(b",\n")
            file.write(orjson.dumps(record(index), option=option))
        file.write(b'\n], "contrat-concession": []}}\n')
    return path
