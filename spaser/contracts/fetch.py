"""Download a buyer's contracts from the national open-data tabular API, then import them.

Source: the consolidated DECP dataset in tabular form (one row per contract × supplier), served by the
data.gouv.fr tabular API: `GET https://tabular-api.data.gouv.fr/api/resources/<resource>/data/` with column
filters (`<column>__<operator>=<value>`), `page` and `page_size` (50 at most). Each answer is
`{"data": [rows], "links": {"next": url | null, …}, "meta": {"page", "page_size", "total"}}`.

The buyer filter is a range on `acheteur_id` (its SIRET): [SIREN × 10⁵, (SIREN + 1) × 10⁵[ selects every
establishment of the SIREN, whether the API types the column as an integer or as 14-digit text.

Resumable: each page is saved under `DATA_DIR/fetch/<siren>/page-NNNN.json` before `state.json` records the
next address; a run that stopped (network, quota, Ctrl-C) continues from there when started again with the
same parameters. A finished download is started afresh on the next run (the buyer has new contracts).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

from spaser.suppliers.http import ApiError, PoliteClient

RESOURCE_ID = "22847056-61df-452d-837d-8b8ceadbfc52"
DATA_URL = f"https://tabular-api.data.gouv.fr/api/resources/{RESOURCE_ID}/data/"
SOURCE_LABEL = "data.gouv.fr API tabulaire"
PAGE_SIZE = 50  # the API's maximum
RATE_PER_SECOND = 10  # well under the API's documented ceiling: this is one user's background download
ID_COLUMNS = {"acheteur_id": 14}


class FetchError(Exception):
    """French message saying what failed, what was kept and how to continue."""


@dataclass
class FetchState:
    siren: str
    since: str | None
    next_url: str | None = None
    pages: int = 0
    rows: int = 0
    total: int | None = None
    complete: bool = False
    started_at: str = ""
    updated_at: str = ""
    resumed: bool = field(default=False, compare=False)

    def save(self, directory: Path) -> None:
        data = asdict(self)
        data.pop("resumed")
        _write_atomic(directory / "state.json", json.dumps(data, ensure_ascii=False, indent=1))


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)  # a crash never leaves a half-written page or state behind


def fetch_directory(siren: str, data_dir: Path | None = None) -> Path:
    return Path(data_dir or settings.DATA_DIR) / "fetch" / siren


def first_url(siren: str, since: date | None, page_size: int = PAGE_SIZE) -> str:
    params = {
        "acheteur_id__greater": f"{siren}00000",
        "acheteur_id__strictly_less": f"{int(siren) + 1:09d}00000",
        "page": "1",
        "page_size": str(page_size),
    }
    if since:
        params["dateNotification__greater"] = since.isoformat()
    return str(httpx.URL(DATA_URL, params=params))


def _load_state(directory: Path, siren: str, since: str | None) -> FetchState:
    path = directory / "state.json"
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            state = FetchState(**data)
        except (ValueError, TypeError):
            state = None
        if state and not state.complete and state.next_url and (state.siren, state.since) == (siren, since):
            state.resumed = True
            return state
    for old_page in directory.glob("page-*.json"):
        old_page.unlink()
    now = timezone.now().isoformat()
    return FetchState(siren=siren, since=since, started_at=now, updated_at=now)


def download_buyer_pages(
    *,
    siren: str,
    since: date | None = None,
    data_dir: Path | None = None,
    transport: httpx.BaseTransport | None = None,
    client: PoliteClient | None = None,
    progress: Callable[[FetchState], None] | None = None,
    page_size: int = PAGE_SIZE,
) -> FetchState:
    """Download (or finish downloading) every page of the buyer's rows. Raises FetchError when the API stops
    answering; the pages already saved stay, and the next run resumes after them."""
    if not (len(siren) == 9 and siren.isdigit()):
        raise FetchError(f"SIREN « {siren} » invalide : 9 chiffres attendus.")
    directory = fetch_directory(siren, data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    since_text = since.isoformat() if since else None
    state = _load_state(directory, siren, since_text)
    if state.next_url is None and not state.complete:
        state.next_url = first_url(siren, since, page_size)
        state.save(directory)
    http = client or PoliteClient(
        service="L'API tabulaire de data.gouv.fr", rate_per_second=RATE_PER_SECOND, transport=transport
    )
    try:
        while state.next_url:
            try:
                body = http.get_json(state.next_url)
            except ApiError as error:
                raise FetchError(
                    f"{error} Téléchargement interrompu à la page {state.pages + 1} : {state.pages} page(s) "
                    f"({state.rows} ligne(s)) gardée(s) dans {directory}. Relancez la même commande pour "
                    "reprendre là où elle s'est arrêtée."
                ) from error
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise FetchError(
                    f"Réponse inattendue de l'API tabulaire à la page {state.pages + 1} ({state.next_url}) : "
                    "champ « data » absent."
                )
            state.pages += 1
            state.rows += len(body["data"])
            state.total = (body.get("meta") or {}).get("total", state.total)
            _write_atomic(
                directory / f"page-{state.pages:04d}.json", json.dumps(body["data"], ensure_ascii=False)
            )
            state.next_url = (body.get("links") or {}).get("next") or None
            state.complete = state.next_url is None
            state.updated_at = timezone.now().isoformat()
            state.save(directory)
            if progress:
                progress(state)
    finally:
        if client is None:
            http.close()
    return state


def saved_rows(directory: Path) -> Iterator[dict[str, Any]]:
    """The saved rows, page after page (one page in memory at a time), with the API's row number dropped and
    the SIRETs given back as 14-digit text when the API typed them as integers (a leading zero lost)."""
    for page in sorted(directory.glob("page-*.json")):
        for row in json.loads(page.read_text(encoding="utf-8")):
            row.pop("__id", None)
            for column, width in ID_COLUMNS.items():
                if isinstance(row.get(column), int):
                    row[column] = f"{row[column]:0{width}d}"
            if isinstance(row.get("titulaire_id"), int) and row.get("titulaire_typeIdentifiant") in (
                None,
                "",
                "SIRET",
            ):
                row["titulaire_id"] = f"{row['titulaire_id']:014d}"
            yield row


@dataclass
class FetchResult:
    state: FetchState
    summary: Any  # spaser.contracts.services.ImportSummary

    def as_dict(self) -> dict[str, Any]:
        summary = self.summary.as_dict() if hasattr(self.summary, "as_dict") else dict(self.summary or {})
        summary.pop("touched_ids", None)
        return {
            "siren": self.state.siren,
            "since": self.state.since,
            "pages": self.state.pages,
            "rows": self.state.rows,
            "resumed": self.state.resumed,
            **summary,
        }


def fetch_decp(
    *,
    siren: str,
    since: date | None = None,
    dry_run: bool = False,
    user=None,
    data_dir: Path | None = None,
    transport: httpx.BaseTransport | None = None,
    client: PoliteClient | None = None,
    progress: Callable[[FetchState], None] | None = None,
    page_size: int = PAGE_SIZE,
) -> FetchResult:
    """Download the buyer's rows (resuming an interrupted download), then import them through the common DECP
    reader and importer: the same de-duplication, quality flags and quarantine as a file."""
    from spaser.contracts.services import import_decp_source
    from spaser.decp import read_tabular_rows

    state = download_buyer_pages(
        siren=siren,
        since=since,
        data_dir=data_dir,
        transport=transport,
        client=client,
        progress=progress,
        page_size=page_size,
    )
    directory = fetch_directory(siren, data_dir)
    name = f"API tabulaire data.gouv.fr — acheteur {siren}" + (
        f" depuis le {since:%d/%m/%Y}" if since else ""
    )
    source = read_tabular_rows(saved_rows(directory), name=name)
    summary = import_decp_source(source=source, user=user, source_label=SOURCE_LABEL, dry_run=dry_run)
    if not dry_run:
        from spaser.suppliers.services import refresh_inclusive_flags

        refresh_inclusive_flags()  # suppliers first seen in this download get their inclusive flag
    return FetchResult(state=state, summary=summary)
