"""The API's errors as JSON `{"detail": "…"}` in French: bad parameters (422, naming the field), tokens
(401), roles (403), things out of reach (404). Django's own exceptions raised by services
(PermissionDenied, ValidationError) become the same answers, with the services' messages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

# pydantic error types → French, {ctx} keys filled from the error's context.
MESSAGES = {
    "missing": "est obligatoire",
    "int_parsing": "doit être un nombre entier",
    "int_type": "doit être un nombre entier",
    "int_from_float": "doit être un nombre entier",
    "float_parsing": "doit être un nombre",
    "float_type": "doit être un nombre",
    "decimal_parsing": "doit être un nombre décimal",
    "decimal_type": "doit être un nombre décimal",
    "string_type": "doit être une chaîne de caractères",
    "bool_parsing": "doit valoir true ou false",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "greater_than": "doit être strictement supérieur à {gt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "less_than": "doit être strictement inférieur à {lt}",
    "string_too_long": "fait au plus {max_length} caractères",
    "string_too_short": "fait au moins {min_length} caractères",
    "string_pattern_mismatch": "n'a pas le format attendu ({pattern})",
    "literal_error": "doit valoir : {expected}",
    "enum": "doit valoir : {expected}",
    "model_attributes_type": "doit être un objet JSON",
    "dict_type": "doit être un objet JSON",
    "json_invalid": "n'est pas du JSON valide",
    "finite_number": "doit être un nombre fini",
}


def _field(error: dict) -> tuple[str, str]:
    loc = [str(part) for part in error.get("loc", ())]
    location = loc[0] if loc else ""
    # ninja prefixes query and path parameters with the source and the schema's name (« query », « filters »)
    names = [part for part in loc[1:] if part not in ("filters", "payload", "body", "params")]
    return (".".join(names) or location or "requête"), location


def _message(error: dict) -> str:
    template = MESSAGES.get(error.get("type", ""))
    if template is None:
        return "a une valeur invalide"
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return template.split(" {")[0]


def field_errors(errors: list[dict]) -> list[dict]:
    result = []
    for error in errors:
        field, location = _field(error)
        result.append({"field": field, "location": location, "message": f"« {field} » {_message(error)}."})
    return result


def validation_response(api: NinjaAPI, request: HttpRequest, errors: list[dict]) -> HttpResponse:
    detail = " ".join(error["message"] for error in errors) or "Paramètres invalides."
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def django_validation_response(api: NinjaAPI, request: HttpRequest, error: DjangoValidationError):
    """A service's ValidationError: its messages, each with its field (« __all__ » when none)."""
    if hasattr(error, "error_dict"):
        errors = [
            {"field": field if field != "__all__" else "requête", "location": "body", "message": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "requête", "location": "body", "message": m} for m in error.messages]
    return validation_response(api, request, errors)


class FieldProblem(Exception):
    """A parameter the schema accepted but the data refuses (a year outside the scheme…): a 422."""

    def __init__(self, field: str, message: str, location: str = "query"):
        super().__init__(message)
        self.field, self.message, self.location = field, message, location


def install(api: NinjaAPI) -> None:
    def on_field_problem(request, exc: FieldProblem):
        errors = [{"field": exc.field, "location": exc.location, "message": exc.message}]
        return validation_response(api, request, errors)

    def on_validation(request, exc: NinjaValidationError):
        return validation_response(api, request, field_errors(exc.errors))

    def on_authentication(request, exc: AuthenticationError):
        message = exc.message if exc.message != "Unauthorized" else "Jeton d'API absent ou invalide."
        response = api.create_response(request, {"detail": message}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="spaser"'
        return response

    def on_http_error(request, exc: HttpError):
        return api.create_response(request, {"detail": exc.message}, status=exc.status_code)

    def on_404(request, exc: Http404):
        detail = str(exc) or "Ressource introuvable."
        return api.create_response(request, {"detail": detail}, status=404)

    def on_permission(request, exc: PermissionDenied):
        detail = str(exc) or "Votre rôle ne permet pas cette opération."
        return api.create_response(request, {"detail": detail}, status=403)

    def on_django_validation(request, exc: DjangoValidationError):
        return django_validation_response(api, request, exc)

    api.add_exception_handler(FieldProblem, on_field_problem)
    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(PermissionDenied, on_permission)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
