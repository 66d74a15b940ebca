"""The page where users create, list and revoke their API tokens (/api/jetons/, login required)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import services
from .forms import TokenForm
from .models import ApiToken


def _page(request, form, *, created=None, status=200):
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": ApiToken.objects.for_user(request.user),
            "openapi_url": reverse("api_v1:openapi-json"),
            "docs_url": reverse("api_v1:openapi-view"),
            "breadcrumbs": [("Accueil", reverse("home")), ("Jetons d'API", "")],
        },
        status=status,
    )


def token_list(request):
    """GET: the user's tokens and the creation form; POST: create one and show its secret, once (the page
    is rendered, not redirected to, so the secret never goes through the session or a cookie)."""
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            created = services.create_token(
                user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_errors)
        else:
            response = _page(request, TokenForm(), created=created)
            response["Cache-Control"] = "no-store"
            return response
    return _page(request, form, status=400)


@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken.objects.for_user(request.user), pk=pk)
    services.revoke_token(token=token, user=request.user)
    messages.success(request, f"Jeton « {token.name} » révoqué : l'API le refuse désormais.")
    return redirect("api_tokens")
