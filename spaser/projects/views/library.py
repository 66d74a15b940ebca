"""Pages of the referral rules (/projets/regles/, pilot only) and of the clause library (/projets/clauses/,
read by every member, edited by the pilot), with « tester une règle » (the open projects a rule would refer)
and the loading of the defaults when both are empty.

Access: outside the organisation → 404; the rules, or a write, by a member who is not the pilot → 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from spaser.organisations.models import Direction
from spaser.organisations.permissions import require_member

from .. import advising, defaults
from ..forms.library import ClauseFilterForm, ClauseForm, DefaultsForm, RuleForm
from ..models import ClauseRecommendation, Project, ReferralRule
from ..permissions import is_pilot
from ..referral import matches
from ..stages import LAUNCHED, Stage

NOT_MEMBER = (
    "Vous n'êtes membre d'aucune organisation : les règles et la bibliothèque ne vous sont pas accessibles."
)
NOT_PILOT = "Seul le pilote du schéma gère les règles de saisine et la bibliothèque de clauses."
PER_PAGE = 50


def _member(request, *, pilot: bool = False):
    return require_member(request.user, pilot=pilot, not_member=NOT_MEMBER, not_pilot=NOT_PILOT)


def _crumbs(*items):
    return [("Projets d'achat", reverse("projects:list")), *items]


def _attach(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _resource_directions(organisation):
    return Direction.objects.filter(organisation=organisation).resource().order_by("name")


def _defaults_context(organisation, membership, form=None) -> dict:
    """The « load the defaults » panel: for the pilot, when there is neither a rule nor a clause (or to
    show the errors of the form just posted)."""
    empty = form is not None or (
        not ReferralRule.objects.filter(organisation=organisation).exists()
        and not ClauseRecommendation.objects.filter(organisation=organisation).exists()
    )
    if not (is_pilot(membership) and empty):
        return {"defaults_form": None}
    directions = _resource_directions(organisation)
    return {
        "defaults_form": form or DefaultsForm(directions=directions),
        "has_resource_directions": directions.exists(),
    }


# --- Referral rules --------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def rule_list(request):
    organisation, membership = _member(request, pilot=True)
    rules = ReferralRule.objects.filter(organisation=organisation).select_related("resource_direction")
    return render(
        request,
        "projects/rule_list.html",
        {
            "rules": rules,
            "breadcrumbs": _crumbs(("Règles de saisine", "")),
            **_defaults_context(organisation, membership),
        },
    )


def _rule_initial(rule: ReferralRule) -> dict:
    initial = {name: getattr(rule, name) for name in advising.RULE_FIELDS}
    initial["all_projects"] = advising.is_all_projects(rule)
    return initial


@require_http_methods(["GET", "POST"])
def rule_form(request, pk=None):
    organisation, membership = _member(request, pilot=True)
    rule = get_object_or_404(ReferralRule, organisation=organisation, pk=pk) if pk else None
    form = RuleForm(
        request.POST or None,
        initial=_rule_initial(rule) if rule else None,
        directions=_resource_directions(organisation),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        all_projects = data.pop("all_projects")
        try:
            if rule is None:
                rule = advising.rule_create(
                    organisation=organisation,
                    membership=membership,
                    user=request.user,
                    all_projects=all_projects,
                    **data,
                )
            else:
                advising.rule_update(
                    rule=rule, membership=membership, user=request.user, all_projects=all_projects, **data
                )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, f"Règle « {rule.name} » enregistrée.")
            return redirect("projects:rule_list")
    title = f"Modifier la règle « {rule.name} »" if rule else "Nouvelle règle de saisine"
    return render(
        request,
        "projects/rule_form.html",
        {
            "form": form,
            "rule": rule,
            "title": title,
            "breadcrumbs": _crumbs(("Règles de saisine", reverse("projects:rule_list")), (title, "")),
        },
    )


@require_POST
def rule_active(request, pk):
    organisation, membership = _member(request, pilot=True)
    rule = get_object_or_404(ReferralRule, organisation=organisation, pk=pk)
    active = request.POST.get("active") == "1"
    advising.rule_set_active(rule=rule, membership=membership, user=request.user, active=active)
    verb = "réactivée" if active else "désactivée : elle ne saisit plus aucune direction"
    messages.success(request, f"Règle « {rule.name} » {verb}.")
    return redirect("projects:rule_list")


def open_projects_matching(rule: ReferralRule) -> list[tuple[Project, bool]]:
    """The projects not yet in consultation that the rule matches, and whether its direction is already
    asked (« tester une règle »)."""
    projects = (
        Project.objects.for_organisation(rule.organisation_id)
        .exclude(stage__in=[*LAUNCHED, Stage.ABANDONED])
        .select_related("direction")
        .order_by("reference")
    )
    asked = set(
        Project.objects.filter(advices__resource_direction_id=rule.resource_direction_id).values_list(
            "pk", flat=True
        )
    )
    return [(p, p.pk in asked) for p in projects if matches(rule, p)]


@require_http_methods(["GET"])
def rule_test(request, pk):
    organisation, _membership = _member(request, pilot=True)
    rule = get_object_or_404(
        ReferralRule.objects.select_related("resource_direction"), organisation=organisation, pk=pk
    )
    return render(
        request,
        "projects/rule_test.html",
        {
            "rule": rule,
            "matched": open_projects_matching(rule),
            "breadcrumbs": _crumbs(
                ("Règles de saisine", reverse("projects:rule_list")), (f"Tester « {rule.name} »", "")
            ),
        },
    )


@require_POST
def load_defaults(request):
    organisation, membership = _member(request, pilot=True)
    form = DefaultsForm(request.POST, directions=_resource_directions(organisation))
    if form.is_valid():
        try:
            rules, clauses = defaults.seed_defaults(organisation, **form.cleaned_data)
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(
                request,
                f"{rules} règle(s) de saisine et {clauses} clause(s) chargées : adaptez-les à vos pratiques.",
            )
            return redirect("projects:rule_list")
    rules = ReferralRule.objects.filter(organisation=organisation).select_related("resource_direction")
    return render(
        request,
        "projects/rule_list.html",
        {
            "rules": rules,
            "breadcrumbs": _crumbs(("Règles de saisine", "")),
            **_defaults_context(organisation, membership, form),
        },
    )


# --- Clause library --------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def clause_list(request):
    organisation, membership = _member(request)
    library = ClauseRecommendation.objects.filter(organisation=organisation)
    families = library.order_by("cpv_prefix").values_list("cpv_prefix", "family").distinct()
    seen, family_choices = set(), []
    for prefix, family in families:
        if prefix not in seen:
            seen.add(prefix)
            family_choices.append((prefix, family))
    form = ClauseFilterForm(request.GET or None, families=family_choices)
    clauses = library
    include_inactive = False
    if form.is_bound:
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        if data.get("famille"):
            clauses = clauses.filter(cpv_prefix="" if data["famille"] == "tous" else data["famille"])
        if data.get("type"):
            clauses = clauses.filter(kind=data["type"])
        include_inactive = bool(data.get("inactives"))
    if not include_inactive:
        clauses = clauses.active()
    page = Paginator(clauses.order_by("cpv_prefix", "kind", "title"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "projects/clause_list.html",
        {
            "form": form,
            "page": page,
            "clauses": page.object_list,
            "can_edit": is_pilot(membership),
            "library_empty": not library.exists(),
            "breadcrumbs": _crumbs(("Bibliothèque de clauses", "")),
            **_defaults_context(organisation, membership),
        },
    )


@require_http_methods(["GET", "POST"])
def clause_form(request, pk=None):
    organisation, membership = _member(request, pilot=True)
    clause = get_object_or_404(ClauseRecommendation, organisation=organisation, pk=pk) if pk else None
    initial = {name: getattr(clause, name) for name in advising.CLAUSE_FIELDS} if clause else None
    form = ClauseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if clause is None:
                clause = advising.clause_create(
                    organisation=organisation, membership=membership, user=request.user, **form.cleaned_data
                )
            else:
                advising.clause_update(
                    clause=clause, membership=membership, user=request.user, **form.cleaned_data
                )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, f"Clause « {clause.title} » enregistrée.")
            return redirect("projects:clause_list")
    title = f"Modifier la clause « {clause.title} »" if clause else "Nouvelle clause"
    return render(
        request,
        "projects/clause_form.html",
        {
            "form": form,
            "clause": clause,
            "title": title,
            "breadcrumbs": _crumbs(("Bibliothèque de clauses", reverse("projects:clause_list")), (title, "")),
        },
    )


@require_POST
def clause_active(request, pk):
    organisation, membership = _member(request, pilot=True)
    clause = get_object_or_404(ClauseRecommendation, organisation=organisation, pk=pk)
    active = request.POST.get("active") == "1"
    advising.clause_set_active(clause=clause, membership=membership, user=request.user, active=active)
    verb = "réactivée" if active else "désactivée : elle n'est plus proposée dans les avis"
    messages.success(request, f"Clause « {clause.title} » {verb}.")
    return redirect("projects:clause_list")


urlpatterns = [
    path("regles/", rule_list, name="rule_list"),
    path("regles/nouvelle/", rule_form, name="rule_create"),
    path("regles/<int:pk>/", rule_form, name="rule_edit"),
    path("regles/<int:pk>/activation/", rule_active, name="rule_active"),
    path("regles/<int:pk>/tester/", rule_test, name="rule_test"),
    path("regles/par-defaut/", load_defaults, name="load_defaults"),
    path("clauses/", clause_list, name="clause_list"),
    path("clauses/nouvelle/", clause_form, name="clause_create"),
    path("clauses/<int:pk>/", clause_form, name="clause_edit"),
    path("clauses/<int:pk>/activation/", clause_active, name="clause_active"),
]
