"""The authorisation matrix (issue 9): every view and API operation × every role, as tests/security/matrix.py
says. A view without a rule fails `test_every_view_has_a_rule`, naming it; docs/security.md says how to add
one.

The world (tests/security/world.py) is built once for the module, in a transaction rolled back after the
last test (what Django's `setUpTestData` does); each request runs in its own savepoint, rolled back at once,
so a POST that writes (a meeting held, a decision removed) leaves the next role the same world."""

from __future__ import annotations

import re
import time
from http.cookies import SimpleCookie

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connections, transaction
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from spaser.api.api import api
from spaser.organisations.models import Organisation

from .matrix import EXCLUDED_NAMESPACES, LOGIN, MATRIX, OK, ROLES, Entry, Rule
from .world import build_matrix_world

METHODS = ("GET", "POST")
ALLOWED = {200, 201, 204, 400, 422}
API_PREFIX = "api_v1:"
TIMINGS: dict[str, float] = {}


def url_patterns(resolver=None, prefix: str = "", namespace: str = ""):
    """(name with namespaces, route) of every URL pattern of the project, recursively."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name, namespace, prefix + str(pattern.pattern)


def spaser_patterns() -> list[tuple[str | None, str]]:
    return [
        (name, route)
        for name, namespace, route in url_patterns()
        if namespace.split(":")[0] not in EXCLUDED_NAMESPACES
    ]


def test_every_view_has_a_rule():
    patterns = spaser_patterns()
    unnamed = [route for name, route in patterns if name is None]
    assert not unnamed, "\n".join(
        f"La vue du motif '{route}' n'a pas de nom : nommez-la (path(..., name=...)) et donnez-lui une règle "
        "dans tests/security/matrix.py (docs/security.md)."
        for route in unnamed
    )
    missing = [
        f"Aucune règle d'autorisation pour la vue '{name}' (motif '{route}') : ajoutez une ligne à MATRIX "
        "dans tests/security/matrix.py (règle par rôle et URL d'exemple ; docs/security.md)."
        for name, route in patterns
        if name not in MATRIX
    ]
    names = {name for name, _route in patterns}
    stale = [
        f"La règle d'autorisation '{name}' de tests/security/matrix.py ne correspond plus à aucune vue : "
        "retirez-la ou renommez-la."
        for name in MATRIX
        if name not in names
    ]
    assert not missing + stale, "\n".join(missing + stale)


def _openapi_route(path: str) -> str:
    return re.sub(r"\{(\w+)\}", r"<\1>", path)


def test_every_api_operation_has_a_rule():
    """Each operation of the OpenAPI schema (method and path) is a MATRIX line of the same method."""
    routes = {
        "/" + route.replace("<path:", "<"): name
        for name, route in spaser_patterns()
        if name and name.startswith(API_PREFIX)
    }
    problems = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        name = routes.get(_openapi_route(path))
        for method in operations:
            if name is None or name not in MATRIX:
                problems.append(
                    f"Aucune règle d'autorisation pour l'opération d'API {method.upper()} {path}."
                )
                continue
            entry = MATRIX[name][0]
            if method.upper() not in (("GET", "POST") if entry.main == "FORM" else (entry.main,)):
                problems.append(
                    f"L'opération d'API {method.upper()} {path} ('{name}') a une règle pour {entry.main} "
                    "seulement : corrigez sa ligne dans tests/security/matrix.py."
                )
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world of tests/security/world.py, built once, rolled back after the module's last test."""
    media = tmp_path_factory.mktemp("matrix-media")
    from django.test import override_settings

    world_media = media
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        settings_override = override_settings(MEDIA_ROOT=media)
        settings_override.enable()
        try:
            with TestCase.captureOnCommitCallbacks(execute=False):
                world = build_matrix_world()
            world.media = world_media
            world.clients = {}
            for role in ROLES:
                client = Client(raise_request_exception=False)
                if role != "anonymous":
                    client.force_login(getattr(world, role))
                world.clients[role] = client
        except BaseException:
            settings_override.disable()
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield world
    finally:
        with django_db_blocker.unblock():
            settings_override.disable()
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            assert not connections["default"].in_atomic_block
            assert not Organisation.objects.exists()  # the other modules find an empty database


def answer(response) -> str | int:
    """OK, LOGIN, or the status code of a refusal (or of anything unexpected)."""
    status = response.status_code
    if status in (301, 302, 303):
        return LOGIN if reverse("login") in response["Location"] else OK
    return OK if status in ALLOWED else status


def release(response) -> None:
    """Close a file response (downloads, API docs assets) as the server would, without the
    request_finished handler that would close the database connection (what the test client does)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def request(world, name: str, url: str, role: str, method: str):
    api = name.startswith(API_PREFIX)
    client = world.clients["anonymous" if api else role]
    headers, extra = {}, {}
    if api and role != "anonymous":
        headers["Authorization"] = f"Bearer {world.tokens[getattr(world, role).pk].secret}"
    if api and method == "POST":
        extra = {"data": {"value": "12"}, "content_type": "application/json"}
    cookies = client.cookies
    client.cookies = SimpleCookie(cookies)  # a logout, or a new session, stays in this request
    try:
        with transaction.atomic():
            response = getattr(client, method.lower())(url, headers=headers, **extra)
            transaction.set_rollback(True)
            if response.streaming:
                release(response)
    finally:
        client.cookies = cookies
    return response


def check(entry: Entry, method: str, role: str, got: str | int) -> str | None:
    """Why `got` breaks the rule, or None."""
    rule: Rule | None = entry.rule_for(method)
    if rule is not None:
        expected = rule.expected[role]
        return None if got == expected else f"attendu {expected}, obtenu {got} (règle {rule})"
    # Not the view's method, for a role the view's rule refuses: refused too (the same answer, or 405).
    refused = entry.rule.expected[role]
    if got not in (refused, 405):
        return f"attendu un refus ({refused} ou 405), obtenu {got} (méthode non prévue, règle {entry.rule})"
    return None


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_authorisation(world, db, settings, name):
    settings.MEDIA_ROOT = world.media  # the files of the world (evidence, import reports)
    entry, kwargs = MATRIX[name]
    url = reverse(name, kwargs=kwargs(world))
    started = time.perf_counter()
    failures = []
    for method in METHODS:
        rule = entry.rule_for(method)
        for role in ROLES:
            if rule is None and entry.rule.expected[role] == OK:
                continue  # the other method matters for the roles the view refuses: it must not let them in
            response = request(world, name, url, role, method)
            problem = check(entry, method, role, answer(response))
            if problem:
                failures.append(f"{method} {url} en tant que {role} : {problem}")
    TIMINGS[name] = time.perf_counter() - started
    assert not failures, f"Vue '{name}' :\n" + "\n".join(failures)
