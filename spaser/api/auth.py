"""Bearer-token authentication of the API (no session, hence no CSRF): `Authorization: Bearer <jeton>`.
A refused token is a 401 whose `detail` says why (absent, invalid, revoked, expired)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from . import services


class TokenAuth(HttpBearer):
    openapi_description = "Jeton d'API créé sur la page /api/jetons/ : « Authorization: Bearer <jeton> »."

    def __call__(self, request: HttpRequest):
        header = request.headers.get(self.header, "")
        scheme, _, raw = header.partition(" ")
        if not header:
            return self.authenticate(request, "")
        if scheme.lower() != "bearer":
            raise AuthenticationError(
                message="En-tête d'authentification invalide : attendu « Authorization: Bearer <jeton> »."
            )
        return self.authenticate(request, raw)

    def authenticate(self, request: HttpRequest, token: str):
        try:
            api_token = services.authenticate(token)
        except services.TokenRefused as refused:
            raise AuthenticationError(message=str(refused)) from None
        request.api_token = api_token
        request.user = api_token.user  # the services and selectors check this user's roles
        return api_token
