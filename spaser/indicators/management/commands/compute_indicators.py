"""`spaser compute_indicators [--year Y] [--buyer SIREN_OR_SIRET] [--scheme SLUG] [--period KEY|all]
[--json]`."""

import json
import re
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from spaser.indicators.catalogue import COMPUTED
from spaser.indicators.engine import compute
from spaser.indicators.periods import Period
from spaser.indicators.scopes import buyer_scope
from spaser.indicators.services import scheme_figures, store_figures
from spaser.schemes.models import Scheme, SchemeStatus


def number(value: Decimal | None):
    """JSON numbers: integers stay integers, other decimals become floats (exact Decimals stay in the DB)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class Command(BaseCommand):
    help = (
        "Calcule les indicateurs des schémas (organisation, acheteurs d'un schéma mutualisé, directions) et "
        "les enregistre avec leur provenance. Avec --buyer, calcule les indicateurs du catalogue sur les "
        "marchés de cet acheteur, quelles que soient les organisations, sans rien enregistrer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, help="année de notification (par défaut : toutes les années du schéma)"
        )
        parser.add_argument("--buyer", help="SIREN (9 chiffres) ou SIRET (14 chiffres) d'un acheteur")
        parser.add_argument(
            "--scheme", help="identifiant court d'un schéma (par défaut : tous sauf archivés)"
        )
        parser.add_argument(
            "--period",
            default="A",
            help="période affichée : A (l'année, par défaut), S1, T2, M03, C11 (cumul à fin novembre)… "
            "ou « all » pour toutes (toutes sont calculées et enregistrées)",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="affiche une liste d'objets JSON"
        )

    def handle(self, *args, year=None, buyer=None, scheme=None, period="A", as_json=False, **options):
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError(f"Année invalide : {year}.")
        if period != "all":
            try:
                Period(2000, period)
            except ValueError as error:
                raise CommandError(f"--period : {error} Exemples : A, S1, T2, M03, C11, all.") from None
        rows = self.buyer_rows(buyer, year) if buyer else self.scheme_rows(scheme, year)
        if period != "all":
            rows = [row for row in rows if row["period"] == period]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            self.print_table(rows)

    def buyer_rows(self, buyer: str, year: int | None) -> list[dict]:
        identifier = re.sub(r"\s", "", buyer)
        if not re.fullmatch(r"\d{9}|\d{14}", identifier):
            raise CommandError(
                f"--buyer : « {buyer} » n'est ni un SIREN (9 chiffres) ni un SIRET (14 chiffres)."
            )
        scope = buyer_scope(identifier)
        years = (
            [year]
            if year
            else sorted(
                set(
                    scope.contracts.exclude(notification_year=None).values_list(
                        "notification_year", flat=True
                    )
                )
            )
        )
        rows = []
        for y in years:
            for definition in COMPUTED:
                if definition.method == "objects":
                    continue  # a scheme's own objects: not a buyer's
                result = compute(definition.method, definition.params, scope.contracts, Period(y))
                rows.append(_row(definition.code, definition.name, Period(y), scope.key, result, None))
        return rows

    def scheme_rows(self, slug: str | None, year: int | None) -> list[dict]:
        schemes = Scheme.objects.exclude(status=SchemeStatus.ARCHIVED).select_related("organisation")
        if slug:
            schemes = schemes.filter(slug=slug)
            if not schemes:
                raise CommandError(f"Aucun schéma « {slug} ».")
        rows = []
        for scheme in schemes:
            if year is not None and year not in scheme.years:
                raise CommandError(
                    f"L'année {year} est hors de la période du schéma « {scheme.slug} » "
                    f"({scheme.period_start}-{scheme.period_end})."
                )
            figures = scheme_figures(scheme=scheme, years=[year] if year else None)
            counts = store_figures(figures)
            self.stderr.write(
                f"{scheme.slug} : {counts['created']} valeurs créées, {counts['updated']} mises à jour, "
                f"{counts['unchanged']} inchangées."
            )
            rows += [
                _row(
                    f.indicator.code,
                    f.indicator.name,
                    f.period,
                    f.scope.key,
                    f.result,
                    f.data_date,
                    f.perimeter,
                )
                for f in figures
            ]
        return rows

    def print_table(self, rows: list[dict]) -> None:
        if not rows:
            self.stdout.write("Aucune valeur calculée (pas de schéma ou pas d'indicateur calculé).")
            return
        for row in rows:
            value = "pas de données" if row["value"] is None else f"{row['value']:.1f}".replace(".", ",")
            self.stdout.write(
                f"{row['code']:<4} {row['year']} {row['period']:<3} {row['scope']:<28} {value:>15}  "
                f"({row['numerator']} / {row['denominator']}, inconnus : {row['unknown']})"
            )


def _row(code, name, period: Period, scope, result, data_date, perimeter=None) -> dict:
    return {
        "code": code,
        "name": name,
        "year": period.year,
        "period": period.key,
        "period_label": period.label,
        "scope": scope,
        "value": number(result.value),
        "numerator": number(result.numerator),
        "denominator": number(result.denominator),
        "unknown": result.unknown,
        "method_version": result.method_version,
        "data_date": data_date.isoformat() if data_date else None,
        "perimeter": perimeter,
        "details": result.details,
    }
