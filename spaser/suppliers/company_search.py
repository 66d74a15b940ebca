"""Client of the public company search API (« API Recherche d'entreprises »,
recherche-entreprises.api.gouv.fr).

One request per SIREN: `GET /search?q=<siren>`; the answer is `{"results": [...], "total_results", "page",
"per_page", "total_pages"}`; each result has `siren`, `nom_complet`, `nom_raison_sociale`, `nature_juridique`,
`categorie_entreprise` (PME/ETI/GE), `siege` and `matching_etablissements` (each with `siret`, `commune`,
`departement`, `region`) and `complements.est_ess`. Documented limit: 7 requests per second. Answers are
cached in the database (CompanyLookup) with their date.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from django.utils import timezone

from .enrichment import CompanyFacts, clean_name, clean_size
from .http import PoliteClient
from .models import CompanyLookup

BASE_URL = "https://recherche-entreprises.api.gouv.fr"
SOURCE = "API Recherche d'entreprises"
RATE_PER_SECOND = 7
CACHE_LIFETIME = timedelta(days=30)


class CompanySearchClient:
    def __init__(self, *, transport: httpx.BaseTransport | None = None, **polite: Any) -> None:
        self.http = PoliteClient(
            service="L'API Recherche d'entreprises",
            rate_per_second=RATE_PER_SECOND,
            transport=transport,
            **polite,
        )
        self.cache_hits = 0

    def close(self) -> None:
        self.http.close()

    def lookup(self, siren: str, *, now: datetime | None = None, refresh: bool = False) -> dict | None:
        """The API's result for this SIREN (None when it knows none); from the cache when fresh enough."""
        now = now or timezone.now()
        cached = CompanyLookup.objects.filter(siren=siren).first()
        if cached is not None and not refresh and now - cached.fetched_at < CACHE_LIFETIME:
            self.cache_hits += 1
            return cached.payload
        body = self.http.get_json(f"{BASE_URL}/search", params={"q": siren, "page": 1, "per_page": 5})
        results = (body or {}).get("results") or []
        payload = next((result for result in results if result.get("siren") == siren), None)
        CompanyLookup.objects.update_or_create(siren=siren, defaults={"payload": payload, "fetched_at": now})
        return payload


def cached_lookup(siren: str) -> dict | None:
    """The cached answer for this SIREN whatever its age (offline use), or None."""
    cached = CompanyLookup.objects.filter(siren=siren).first()
    return cached.payload if cached is not None else None


def facts_from_result(result: dict, *, siret: str = "") -> CompanyFacts:
    """Facts of the legal unit, and the location of the establishment `siret` when the answer lists it (never
    the head office's location for another establishment: C2 counts where the supplier works from).

    `complements.est_ess` is read as True when true and unknown when false: the API answers false both for
    "N" and for "not stated" in SIRENE, and domain.md §5 never counts an unknown as a no."""
    complements = result.get("complements") or {}
    establishments = [result.get("siege") or {}, *(result.get("matching_etablissements") or [])]
    commune = next((e.get("commune") or "" for e in establishments if siret and e.get("siret") == siret), "")
    return CompanyFacts(
        siren=result.get("siren") or "",
        name=clean_name(result.get("nom_raison_sociale") or result.get("nom_complet")),
        legal_category=str(result.get("nature_juridique") or "")[:4],
        size_category=clean_size(result.get("categorie_entreprise")),
        is_ess=True if complements.get("est_ess") is True else None,
        commune_code=str(commune or ""),
    )
