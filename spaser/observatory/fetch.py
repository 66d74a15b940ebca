"""Online refresh of the observatory: download the national DECP files, resumably, then (optionally)
ingest them.

Sources (docs/observatory-pages.md, « Mise à jour en ligne »; /work/shared/data/decp/README.md):
- the per-year consolidated JSON files (`decp-2024.json`, `decp-2025.json`…, 2022 format, hundreds of MB each)
  are resources of the data.gouv.fr dataset `DATASET_ID`. Their addresses change when the portal republishes
  them, so the file of a year is looked up in the dataset's description (`DATASET_API_URL`, data.gouv.fr API
  v1: `{"resources": [{"title", "url", "filesize", …}]}`) by its name `decp-<year>.json`;
- the consolidated tabular file: the permanent address of its resource (`TABULAR_URL`), which redirects to
  the current file.
`--url` downloads any other address (a mirror, a per-platform file).

Resume: the bytes are written to `<name>.part`, its validators (ETag / Last-Modified, the expected size)
beside it in `<name>.part.json`. A new attempt asks for the rest (`Range: bytes=<size of .part>-`, with
`If-Range` so a file republished in between is downloaded afresh rather than spliced), checks the answer (206
with a `Content-Range` starting where the part ends, else from zero), checks that the body has its
`Content-Length` and the file its total size, and only then renames `.part` to the final name (atomic: the
final file is either the previous complete one or the new complete one). Network failures are retried with
exponential backoff; an attempt that received bytes resets the count. A failure that persists is a French
error saying what was kept and how to continue (run the same command again).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

DATASET_ID = "5cd57bf68b4c4179299eb0e9"
DATASET_API_URL = f"https://www.data.gouv.fr/api/1/datasets/{DATASET_ID}/"
TABULAR_RESOURCE_ID = "22847056-61df-452d-837d-8b8ceadbfc52"
TABULAR_URL = f"https://www.data.gouv.fr/fr/datasets/r/{TABULAR_RESOURCE_ID}"
USER_AGENT = "Spaser (observatoire national des achats responsables)"
RETRIES = 5
BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 60.0
CONTENT_RANGE = re.compile(r"bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)")


class DownloadError(Exception):
    """French message: what failed, what was kept, how to continue."""


class _Retry(Exception):
    def __init__(self, reason: str, *, offline: bool = False):
        super().__init__(reason)
        self.offline = offline


@dataclass
class Download:
    url: str
    path: Path
    size: int
    resumed_from: int  # bytes already there when this run started (0: a fresh download)
    attempts: int

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "path": str(self.path),
            "size": self.size,
            "resumed_from": self.resumed_from,
            "attempts": self.attempts,
        }


def _client() -> httpx.Client:
    return httpx.Client(
        follow_redirects=True,
        timeout=httpx.Timeout(30.0, read=120.0),
        headers={"User-Agent": USER_AGENT},
    )


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def year_file_url(
    year: int, *, dataset_url: str = DATASET_API_URL, client: httpx.Client | None = None
) -> str:
    """The address of `decp-<year>.json` in the national dataset's description."""
    http = client or _client()
    try:
        response = http.get(dataset_url)
        response.raise_for_status()
        resources = response.json().get("resources") or []
    except httpx.HTTPStatusError as error:
        raise DownloadError(
            f"La description du jeu de données {dataset_url} n'a pas pu être lue (HTTP "
            f"{error.response.status_code})."
        ) from None
    except httpx.TransportError as error:
        raise DownloadError(
            f"Impossible de joindre {_host(dataset_url)} ({error.__class__.__name__}) : vérifiez la "
            "connexion à Internet (ou passez l'adresse du fichier avec --url)."
        ) from None
    except (ValueError, AttributeError):
        raise DownloadError(f"Réponse illisible de {dataset_url} : JSON attendu.") from None
    finally:
        if client is None:
            http.close()
    name = f"decp-{year}.json"
    for resource in resources:
        url = resource.get("url") or ""
        if resource.get("title") == name or url.rsplit("/", 1)[-1].split("?")[0] == name:
            return url
    titles = ", ".join(sorted(r.get("title") or "?" for r in resources)) or "aucun"
    raise DownloadError(
        f"Pas de fichier « {name} » dans le jeu de données {dataset_url} (fichiers : {titles})."
    )


def _part_paths(destination: Path) -> tuple[Path, Path]:
    return destination.with_name(destination.name + ".part"), destination.with_name(
        destination.name + ".part.json"
    )


def _read_meta(meta_path: Path) -> dict:
    try:
        return json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_meta(meta_path: Path, meta: dict) -> None:
    temporary = meta_path.with_suffix(".tmp")
    temporary.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(temporary, meta_path)


def _if_range(meta: dict) -> str | None:
    etag = meta.get("etag")
    if etag and not etag.startswith("W/"):  # If-Range needs a strong validator
        return etag
    return meta.get("last_modified") or None


def _attempt(http: httpx.Client, url: str, part: Path, meta_path: Path, progress) -> int | None:
    """One request. Returns the total size when the part is complete; raises _Retry to try again."""
    meta = _read_meta(meta_path)
    offset = part.stat().st_size if part.exists() and meta.get("url") == url else 0
    if offset == 0:
        part.unlink(missing_ok=True)
    headers = {"Accept-Encoding": "identity"}  # byte ranges count bytes of the file itself
    if offset:
        headers["Range"] = f"bytes={offset}-"
        validator = _if_range(meta)
        if validator:
            headers["If-Range"] = validator
    try:
        with http.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status == 416 and offset:
                match = CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
                if match and match[3] != "*" and int(match[3]) == offset:
                    return offset  # nothing left to fetch: the part was already whole
                part.unlink(missing_ok=True)
                raise _Retry("plage refusée par le serveur, téléchargement repris depuis le début")
            if status >= 500 or status == 429:
                raise _Retry(f"HTTP {status}")
            if status not in (200, 206):
                raise DownloadError(
                    f"Le serveur {_host(url)} refuse le téléchargement de {url} (HTTP {status})."
                )
            total = None
            if status == 206:
                match = CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
                if not match or match[1] is None or int(match[1]) != offset:
                    part.unlink(missing_ok=True)
                    raise _Retry("réponse partielle qui ne reprend pas où le fichier s'arrête")
                total = None if match[3] == "*" else int(match[3])
            else:  # 200: the whole file (no range support, or the file changed since the part was written)
                offset = 0
            length = response.headers.get("Content-Length")
            expected = int(length) if length and length.isdigit() else None
            if status == 200:
                total = expected
            _write_meta(
                meta_path,
                {
                    "url": url,
                    "etag": response.headers.get("ETag"),
                    "last_modified": response.headers.get("Last-Modified"),
                    "total": total,
                },
            )
            received = 0
            with part.open("ab" if offset else "wb") as out:
                try:
                    for chunk in response.iter_raw():  # as received: a cut keeps what came
                        out.write(chunk)
                        received += len(chunk)
                        if progress:
                            progress(offset + received, total)
                except httpx.TransportError as error:
                    raise _Retry(f"connexion coupée après {offset + received} octets ({error})") from None
            if expected is not None and received != expected:
                raise _Retry(f"{received} octets reçus sur {expected} annoncés")
    except httpx.TransportError as error:
        offline = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
        raise _Retry(f"{error.__class__.__name__} : {error}", offline=offline) from None
    size = part.stat().st_size
    if total is not None and size != total:
        raise _Retry(f"fichier partiel de {size} octets, {total} attendus")
    return size


def download(
    url: str,
    destination: Path,
    *,
    client: httpx.Client | None = None,
    retries: int = RETRIES,
    backoff: float = BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int | None], None] | None = None,
) -> Download:
    """Download `url` to `destination`, resuming a `.part` left by an interrupted run (module docstring)."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    part, meta_path = _part_paths(destination)
    resumed_from = part.stat().st_size if part.exists() and _read_meta(meta_path).get("url") == url else 0
    http = client or _client()
    attempts = failures = 0
    try:
        while True:
            attempts += 1
            before = part.stat().st_size if part.exists() else 0
            try:
                size = _attempt(http, url, part, meta_path, progress)
                break
            except _Retry as retry:
                progressed = part.exists() and part.stat().st_size > before
                failures = 1 if progressed else failures + 1
                if failures > retries:
                    kept = part.stat().st_size if part.exists() else 0
                    if retry.offline:
                        reason = (
                            f"Impossible de joindre {_host(url)} : vérifiez la connexion à Internet "
                            f"({retry})."
                        )
                    else:
                        reason = f"Téléchargement de {url} interrompu ({retry})."
                    raise DownloadError(
                        f"{reason} Après {attempts} tentative(s), {kept} octet(s) sont gardés dans {part} ; "
                        "relancez la même commande pour reprendre là où elle s'est arrêtée."
                    ) from None
                sleep(min(backoff * 2 ** (failures - 1), MAX_BACKOFF_SECONDS))
    finally:
        if client is None:
            http.close()
    os.replace(part, destination)
    meta_path.unlink(missing_ok=True)
    return Download(url=url, path=destination, size=size, resumed_from=resumed_from, attempts=attempts)
