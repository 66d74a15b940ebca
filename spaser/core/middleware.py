"""Security headers Django 5.2 does not set itself."""

from django.conf import settings

# No inline script or style anywhere in Spaser's templates: everything comes from our own static files.
# The same policy covers the Django admin (Django 5.2's admin has no inline script or style; its widgets set
# styles through the DOM, which the policy allows) and the API's Swagger UI (spaser/api/docs.py);
# tests/security/test_csp.py checks every template, every kind of response and both in Chromium.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP)

    def __call__(self, request):
        response = self.get_response(request)
        if self.csp:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
