"""A polite JSON client for public APIs: a rate limit, timeouts, retries with backoff on 429 and 5xx, and
French errors that say what failed and what to do. Used by the company search client and the DECP fetcher.

Tests pass an `httpx.MockTransport` serving recorded responses, and `sleep=lambda seconds: None` so that
waiting costs no time; the waits asked for are recorded in `waits` and can be checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

USER_AGENT = "Spaser (logiciel libre de pilotage des SPASER)"
RETRY_STATUSES = {429, 500, 502, 503, 504}


class ApiError(Exception):
    """A public API could not answer; the message is French and names the service."""


class ApiUnreachable(ApiError):
    """No network, DNS failure, timeouts: the machine is probably offline."""


class PoliteClient:
    def __init__(
        self,
        *,
        service: str,
        rate_per_second: float,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 15.0,
        max_retries: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.interval = 1.0 / rate_per_second
        self.max_retries = max_retries
        self.backoff = backoff
        self.sleep = sleep
        self.clock = clock
        self.waits: list[float] = []
        self.requests = 0
        self._last: float | None = None
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.waits.append(seconds)
            self.sleep(seconds)

    def _throttle(self) -> None:
        """At most `rate_per_second` requests: the documented limits of these services are per second."""
        if self._last is not None:
            self._wait(self.interval - (self.clock() - self._last))
        self._last = self.clock()

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        """The decoded JSON body of a 200 answer, or None for a 404. Retries 429 and 5xx answers and network
        errors with exponential backoff (honouring Retry-After), then raises ApiError / ApiUnreachable."""
        last_problem = ""
        last_retry_after: str | None = None
        for attempt in range(self.max_retries + 1):
            if attempt:
                self._wait(self._retry_delay(attempt, last_retry_after))
            last_retry_after = None
            self._throttle()
            self.requests += 1
            try:
                response = self._http.get(url, params=params)
            except (httpx.TransportError, httpx.TimeoutException) as error:
                last_problem = f"{type(error).__name__}: {error}"
                continue
            if response.status_code in RETRY_STATUSES:
                last_problem = f"réponse HTTP {response.status_code}"
                last_retry_after = response.headers.get("Retry-After")
                continue
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise ApiError(
                    f"{self.service} a refusé la requête ({url}) : réponse HTTP {response.status_code}. "
                    "Vérifiez les paramètres."
                )
            try:
                return response.json()
            except ValueError as error:
                raise ApiError(
                    f"{self.service} a renvoyé une réponse illisible ({url}) : {error}."
                ) from error
        if last_problem.startswith("réponse HTTP"):
            raise ApiError(
                f"{self.service} ne répond pas correctement ({last_problem} après {self.max_retries + 1} "
                "essais). Réessayez plus tard."
            )
        raise ApiUnreachable(
            f"{self.service} est injoignable ({last_problem}). Cette machine semble hors ligne : vérifiez la "
            "connexion à Internet (ou le proxy), puis relancez la commande."
        )

    def _retry_delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return float(retry_after.strip())
        return self.backoff * 2 ** (attempt - 1)
