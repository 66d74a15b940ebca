"""spaser observatory_indicators [--year Y] [--siren S | --type T] [--json]"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from spaser.indicators.templatetags.figures import format_value
from spaser.observatory import selectors


def _target(code: str) -> float | None:
    target = selectors.NATIONAL_TARGETS.get(code)
    return float(target.value) if target else None


def _distribution_dict(dist: selectors.Distribution) -> dict:
    return {
        "code": dist.code,
        "name": dist.name,
        "unit": dist.unit,
        "buyer_type": dist.buyer_type,
        "count": dist.count,
        "unknown": dist.unknown,
        "min": dist.minimum,
        "q1": dist.q1,
        "median": dist.median,
        "q3": dist.q3,
        "max": dist.maximum,
        "national_target": _target(dist.code),
        "bins": [{"low": b.low, "high": b.high, "count": b.count} for b in dist.bins],
    }


def _table(headers: list[str], rows: list[list[str]], numeric_from: int) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells):
        return "  ".join(
            str(cell).rjust(width) if index >= numeric_from else str(cell).ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(headers), line(["-" * width for width in widths]), *(line(row) for row in rows)]


class Command(BaseCommand):
    help = (
        "Affiche les chiffres de l'observatoire national calculés pour une année : les indicateurs d'un "
        "acheteur avec son rang et son percentile parmi les acheteurs du même type (--siren), la "
        "distribution des acheteurs d'un type (--type : effectif, sans donnée, quartiles, cible nationale), "
        "ou le résumé "
        "de tous les types. Tableau en français par défaut, JSON avec --json."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="année (par défaut la plus récente)")
        who = parser.add_mutually_exclusive_group()
        who.add_argument("--siren", default=None, help="SIREN de l'acheteur (9 chiffres)")
        who.add_argument(
            "--type",
            dest="buyer_type",
            default=None,
            help="type d'acheteur : " + ", ".join(selectors.BUYER_TYPES),
        )
        parser.add_argument("--json", dest="as_json", action="store_true", help="sortie JSON")

    def handle(self, *args, year, siren, buyer_type, as_json, **options):
        years = selectors.available_years()
        if not years:
            raise CommandError(
                f"Pas de données : aucun fichier d'indicateurs dans {selectors.store_dir() / 'indicators'}. "
                "Ingérez les données nationales (spaser observatory_ingest) puis calculez les indicateurs."
            )
        if year is not None and year not in years:
            raise CommandError(
                f"Pas de données pour {year} dans l'observatoire : années disponibles "
                f"{', '.join(map(str, years))}."
            )
        year = year or years[0]
        if siren is not None:
            self._buyer(siren.strip(), year, as_json)
        else:
            self._types(buyer_type, year, as_json)

    def _buyer(self, siren: str, year: int, as_json: bool) -> None:
        if not (len(siren) == 9 and siren.isdigit()):
            raise CommandError(f"SIREN « {siren} » invalide : 9 chiffres attendus.")
        position = selectors.buyer_position(siren, year)
        if position is None or not position.found:
            raise CommandError(
                f"SIREN {siren} inconnu de l'observatoire en {year} : aucun de ses marchés notifiés cette "
                "année-là n'est dans les données nationales ingérées."
            )
        if as_json:
            data = {
                "siren": siren,
                "name": position.name,
                "year": year,
                "buyer_type": position.buyer_type,
                "data_date": position.data_date.isoformat() if position.data_date else None,
                "indicators": [
                    {
                        "code": p.code,
                        "name": p.name,
                        "unit": p.unit,
                        "value": p.value,
                        "numerator": p.numerator,
                        "denominator": p.denominator,
                        "unknown": p.unknown,
                        "rank": p.rank,
                        "ties": p.ties,
                        "peers": p.peers,
                        "percentile": p.percentile,
                        "median": p.distribution.median,
                        "national_target": _target(p.code),
                    }
                    for p in position.positions
                ],
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        name = f" — {position.name}" if position.name else ""
        self.stdout.write(f"SIREN {siren}{name} ({position.type_label}), {year}")
        rows = [
            [
                p.code,
                p.name,
                format_value(p.value, p.unit),
                p.rank_label,
                format_value(p.percentile, "percent") if p.percentile is not None else "—",
                format_value(p.distribution.median, p.unit),
                format_value(_target(p.code), p.unit) if _target(p.code) is not None else "—",
            ]
            for p in position.positions
        ]
        headers = ["Code", "Indicateur", "Valeur", "Rang", "Percentile", "Médiane du type", "Cible nat."]
        for line in _table(headers, rows, numeric_from=2):
            self.stdout.write(line)

    def _types(self, buyer_type: str | None, year: int, as_json: bool) -> None:
        if buyer_type is not None and buyer_type not in selectors.BUYER_TYPES:
            raise CommandError(
                f"Type d'acheteur « {buyer_type} » inconnu : attendu {', '.join(selectors.BUYER_TYPES)}."
            )
        summary = selectors.national_summary(year)
        types = (
            summary.types if buyer_type is None else [t for t in summary.types if t.buyer_type == buyer_type]
        )
        if buyer_type is not None and not types:
            raise CommandError(
                f"Aucun acheteur de type « {selectors.type_label(buyer_type)} » dans l'observatoire en "
                f"{year}."
            )
        if as_json:
            data = {
                "year": year,
                "data_date": summary.data_date.isoformat() if summary.data_date else None,
                "types": [
                    {
                        "buyer_type": t.buyer_type,
                        "label": t.label,
                        "buyers": t.buyers,
                        "indicators": [_distribution_dict(d) for d in t.distributions],
                    }
                    for t in types
                ],
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        headers = ["Code", "Indicateur", "Acheteurs", "Sans donnée", "Q1", "Médiane", "Q3", "Cible nat."]
        for index, summary_type in enumerate(types):
            if index:
                self.stdout.write("")
            self.stdout.write(f"{summary_type.label} : {summary_type.buyers} acheteur(s), {year}")
            rows = [
                [
                    d.code,
                    d.name,
                    str(d.count),
                    str(d.unknown),
                    format_value(d.q1, d.unit),
                    format_value(d.median, d.unit),
                    format_value(d.q3, d.unit),
                    format_value(_target(d.code), d.unit) if _target(d.code) is not None else "—",
                ]
                for d in summary_type.distributions
            ]
            for line in _table(headers, rows, numeric_from=2):
                self.stdout.write(line)
