import re
from pathlib import Path

import spaser

TEMPLATES = sorted(Path(spaser.__file__).parent.glob("*/templates/**/*.html"))


def test_login_page_is_public(client):
    response = client.get("/connexion/")
    assert response.status_code == 200


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_pages_carry_security_headers(client):
    response = client.get("/connexion/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_style_or_script():
    """The Content-Security-Policy forbids inline styles and scripts: a template using one would break."""
    assert TEMPLATES
    for template in TEMPLATES:
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"\sstyle=", text), f"{template}: attribut style en ligne"
        assert not re.search(r"<script(?![^>]*\ssrc=)", text), f"{template}: script en ligne"
