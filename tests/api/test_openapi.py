"""The OpenAPI schema: it loads, it is valid OpenAPI, it documents every endpoint in French; and
schemathesis runs over the whole schema in-process (the WSGI app, the seeded database, a valid token):
no server error, every response conforms to the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from .conftest import bearer

pytestmark = pytest.mark.django_db
OPENAPI = "/api/v1/openapi.json"


def test_schema_loads_and_is_valid_openapi(client, world):
    response = client.get(OPENAPI)
    assert response.status_code == 200
    schema = response.json()
    schemathesis.openapi.from_dict(schema).validate()  # against the OpenAPI 3.1 meta-schema
    assert schema["info"]["title"] == "API Spaser"
    assert schema["info"]["version"] == "1"
    paths = set(schema["paths"])
    assert paths >= {
        "/api/v1/schemes",
        "/api/v1/schemes/{slug}",
        "/api/v1/schemes/{slug}/indicators",
        "/api/v1/contracts",
        "/api/v1/contracts/{uid}",
        "/api/v1/me",
        "/api/v1/campaigns/entries/{entry_id}/value",
        "/api/v1/campaigns/entries/{entry_id}/submit",
        "/api/v1/reports",
        "/api/v1/reports/{slug}/{year}",
        "/api/v1/reports/{slug}/{year}/{version}",
    }
    security = schema["components"]["securitySchemes"]["TokenAuth"]
    assert (security["type"], security["scheme"]) == ("http", "bearer")
    for path in schema["paths"].values():
        for operation in path.values():
            assert operation["summary"]
            assert operation["description"]


def test_public_endpoints_need_no_token_private_ones_do(world, keep_test_connection):
    schema = schemathesis.openapi.from_wsgi(OPENAPI, get_wsgi_application()).raw_schema
    public = {
        "/api/v1/schemes",
        "/api/v1/schemes/{slug}",
        "/api/v1/reports",
        "/api/v1/reports/{slug}/{year}",
        "/api/v1/reports/{slug}/{year}/{version}",
    }
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            assert ("security" in operation) is (path not in public), path


def test_docs_page_is_offline_and_within_the_csp(client, world):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "<script>" not in html
    assert "style=" not in html
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert asset["Content-Type"] == "text/javascript"
    assert b"SwaggerUIBundle" in b"".join(asset.streaming_content)
    asset.close()
    assert client.get("/api/v1/docs/assets/../../settings.py").status_code == 404


EXAMPLES = 12


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: the WSGI app must not close the test's database connection at the end of
    each request (PostgreSQL would lose the test transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_schemathesis_over_the_whole_schema(world, keep_test_connection):
    """Each operation with a bounded number of generated examples, with the pilot's token."""
    schema = schemathesis.openapi.from_wsgi(OPENAPI, get_wsgi_application())
    headers = bearer(world.tokens["pilot"])
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            # A schema-valid request may still break a business rule the schema cannot express (submitting an
            # entry without a value: 422 naming the field), so « positive data is accepted » cannot hold;
            # every other check does (no 5xx, responses conform to the schema, statuses documented).
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        check()
