"""Locust scenario of the load test (run by bench/load/run.py, headless): demo users of several roles log in,
then browse the dashboards, the contract list (pages, sorts, filters, search), contract details, projects,
the renewals radar and the observatory, with 1 to 3 s of think time between pages.

Reads the targets written by run.py (SPASER_LOAD_TARGETS: demo logins, axis, commitment and indicator ids,
a sample of contract ids, search words). SPASER_LOAD_WARMUP seconds after the start, the statistics are reset:
what is reported is the steady state only (logins, first hits on cold caches and the ramp-up are left out).
A page answering anything but 200, or an HTML page without its closing tag, is a failure.
"""

from __future__ import annotations

import json
import os
import random
import re

import gevent
from locust import HttpUser, between, events, task

TARGETS = json.loads(open(os.environ["SPASER_LOAD_TARGETS"], encoding="utf-8").read())  # noqa: SIM115
WARMUP = float(os.environ.get("SPASER_LOAD_WARMUP", "30"))
PASSWORD = TARGETS["password"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.test_start.add_listener
def _reset_after_warmup(environment, **_kwargs):
    def reset():
        gevent.sleep(WARMUP)
        environment.runner.stats.reset_all()
        print(f"[spaser-load] statistics reset after {WARMUP:.0f} s of warm-up", flush=True)

    gevent.spawn(reset)


class SpaserUser(HttpUser):
    wait_time = between(1, 3)
    users = TARGETS["users"]
    _next = 0

    def on_start(self):
        username = self.users[SpaserUser._next % len(self.users)]
        SpaserUser._next += 1
        page = self.client.get("/connexion/", name="connexion (formulaire)")
        found = CSRF.search(page.text)
        token = found.group(1) if found else ""
        with self.client.post(
            "/connexion/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/connexion/"},
            name="connexion",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"connexion de {username} refusée ({response.status_code})")
        self.username = username

    def _get(self, path: str, name: str, params: dict | None = None):
        with self.client.get(path, params=params, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{self.username} : {response.status_code} sur {response.url}")
            elif "text/html" in response.headers.get("Content-Type", "") and "</html>" not in response.text:
                response.failure(f"{self.username} : page incomplète {response.url}")

    @task(3)
    def dashboard(self):
        self._get("/tableau-de-bord/", "tableau de bord")

    @task(1)
    def axis(self):
        self._get(f"/tableau-de-bord/axes/{random.choice(TARGETS['axes'])}/", "tableau de bord : axe")

    @task(1)
    def commitment(self):
        pk = random.choice(TARGETS["commitments"])
        self._get(f"/tableau-de-bord/engagements/{pk}/", "tableau de bord : engagement")

    @task(2)
    def indicator(self):
        code = random.choice(TARGETS["indicators"])
        self._get(f"/tableau-de-bord/indicateurs/{code}/", "tableau de bord : indicateur")

    @task(3)
    def contracts(self):
        self._get("/marches/", "marchés : liste")

    @task(2)
    def contracts_page(self):
        self._get("/marches/", "marchés : page suivante", {"page": random.randint(2, 60)})

    @task(2)
    def contracts_sorted(self):
        sort = random.choice(["montant", "-montant", "date", "objet", "-objet", "uid"])
        self._get("/marches/", "marchés : tri", {"tri": sort, "page": random.randint(1, 5)})

    @task(2)
    def contracts_filtered(self):
        params = random.choice(TARGETS["filters"])
        self._get("/marches/", "marchés : filtres", params)

    @task(2)
    def contracts_search(self):
        self._get("/marches/", "marchés : recherche", {"q": random.choice(TARGETS["words"])})

    @task(3)
    def contract(self):
        self._get(f"/marches/{random.choice(TARGETS['contracts'])}/", "marché : fiche")

    @task(1)
    def projects(self):
        self._get("/projets/", "projets : liste")

    @task(1)
    def renewals(self):
        self._get("/renouvellements/", "renouvellements : radar")

    @task(1)
    def observatory(self):
        self._get("/observatoire/", "observatoire")
