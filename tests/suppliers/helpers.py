"""Shared helpers of the supplier tests: fixture paths, suppliers as the DECP importer creates them, and a
recorded-answer server for the company search API."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from spaser.suppliers.models import Supplier

FIXTURES = Path(__file__).parent.parent / "fixtures" / "suppliers"
UNITS = FIXTURES / "StockUniteLegale_extrait.csv"
ESTABLISHMENTS = FIXTURES / "StockEtablissement_extrait.csv"

# Suppliers of the Seine-Saint-Denis rows of the real DECP tabular sample.
SPIE = "08728118400090"
SPIE_SAINT_DENIS = "08728118400033"
SMABTP = "77568476400019"
FCR = "78909316800035"
POSE = "31149330800077"
CDRP = "82039759400020"
SAGA = "45388717600049"


def supplier(siret: str, name: str = "") -> Supplier:
    return Supplier.objects.create(identifier=siret, identifier_type="SIRET", siren=siret[:9], name=name)


class RecordedCompanySearch:
    """Serves the recorded answers of `GET /search?q=<siren>`; an unknown SIREN gets the recorded empty
    answer.
    `fail_with` makes every request fail (a status code, or an httpx exception to raise)."""

    def __init__(self, fail_with: int | type[Exception] | None = None) -> None:
        self.fail_with = fail_with
        self.asked: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "recherche-entreprises.api.gouv.fr"
        assert request.url.path == "/search"
        siren = request.url.params["q"]
        self.asked.append(siren)
        if isinstance(self.fail_with, int):
            return httpx.Response(self.fail_with, json={"erreur": "Trop de requêtes"})
        if self.fail_with is not None:
            raise self.fail_with("Name or service not known", request=request)
        path = FIXTURES / "api" / f"search_{siren}.json"
        if not path.exists():
            path = FIXTURES / "api" / "search_empty.json"
        return httpx.Response(200, json=json.loads(path.read_text(encoding="utf-8")))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)
