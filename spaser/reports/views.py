"""The pilot's report pages under /rapports/ (namespace "reports"), docs/reports.md: the scheme's years and
their report versions; generate or regenerate the draft; the draft's preview; validate with a COPIL decision;
publish; reopen; correct (a new version with its erratum); the files of each version.

Access (permissions.py): outside any organisation → 404; every member reads (drafts included); a write by a
member who is not the pilot → 403, nothing changed. Writes go through services.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spaser.governance.permissions import can_manage
from spaser.organisations.permissions import require_member

from . import selectors, services
from .forms import CorrectForm, ValidateForm
from .models import AnnualReport
from .permissions import NOT_PILOT
from .public_views import file_response

NOT_MEMBER = "Vous n'êtes membre d'aucune organisation : les rapports annuels ne vous sont pas accessibles."
NO_SCHEME = "Votre organisation n'a pas encore de schéma : aucun rapport annuel à préparer."


def _access(request, *, pilot: bool = False):
    organisation, membership = require_member(request.user, not_member=NOT_MEMBER)
    is_pilot = can_manage(membership, organisation)
    if pilot and not is_pilot:
        raise PermissionDenied(NOT_PILOT)
    return organisation, is_pilot


def _scheme(request, organisation):
    schemes = organisation.schemes.all()
    slug = request.GET.get("schema") or request.POST.get("schema")
    scheme = schemes.filter(slug=slug).first() if slug else schemes.current().first()
    if scheme is None:
        raise Http404(NO_SCHEME)
    return scheme


def _report(organisation, pk: int) -> AnnualReport:
    report = (
        AnnualReport.objects.filter(scheme__organisation=organisation, pk=pk)
        .defer("pdf")
        .select_related("scheme__organisation", "decision__meeting__committee")
        .first()
    )
    if report is None:
        raise Http404("Rapport introuvable dans votre organisation.")
    return report


def _crumbs(*items) -> list:
    return [("Rapports annuels", reverse("reports:index")), *items]


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_GET
def index(request):
    organisation, is_pilot = _access(request)
    scheme = _scheme(request, organisation)
    return render(
        request,
        "reports/manage/index.html",
        {
            "scheme": scheme,
            "schemes": organisation.schemes.current() if organisation.schemes.count() > 1 else [],
            "years": selectors.pilot_years(scheme, timezone.localdate()),
            "is_pilot": is_pilot,
            "breadcrumbs": [("Rapports annuels", "")],
        },
    )


@require_POST
def generate(request, year: int):
    organisation, _is_pilot = _access(request, pilot=True)
    scheme = _scheme(request, organisation)
    try:
        report = services.report_generate(scheme=scheme, year=year, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(reverse("reports:index") + f"?schema={scheme.slug}")
    messages.success(request, f"Brouillon du rapport {year} généré à partir des valeurs enregistrées.")
    return redirect("reports:detail", pk=report.pk)


@require_GET
def detail(request, pk: int):
    organisation, is_pilot = _access(request)
    report = _report(organisation, pk)
    decisions = services.eligible_decisions(report) if report.is_draft else None
    form = ValidateForm(decisions=decisions) if decisions is not None else None
    return render(
        request,
        "reports/manage/detail.html",
        _detail_context(report, is_pilot=is_pilot, form=form, decisions=decisions),
    )


def _detail_context(report: AnnualReport, *, is_pilot: bool, form=None, decisions=None) -> dict:
    scheme = report.scheme
    latest = AnnualReport.objects.latest_published(scheme, report.year)
    return {
        "report": report,
        "content": report.content,
        "scheme": scheme,
        "is_pilot": is_pilot,
        "form": form,
        "decisions": list(decisions) if decisions is not None else [],
        "is_latest_published": latest is not None and latest.pk == report.pk,
        "downloads": [
            {"label": label, "url": reverse("reports:file", args=[report.pk, name]), "format": key}
            for name, (key, label, _type) in selectors.FILES.items()
        ],
        "public_url": (
            reverse("public:report_version", args=[scheme.slug, report.year, report.version])
            if report.is_published
            else ""
        ),
        "breadcrumbs": _crumbs((f"Rapport {report.year} — version {report.version}", "")),
    }


@require_POST
def validate(request, pk: int):
    organisation, is_pilot = _access(request, pilot=True)
    report = _report(organisation, pk)
    decisions = services.eligible_decisions(report)
    form = ValidateForm(request.POST, decisions=decisions)
    if form.is_valid():
        try:
            services.report_validate(report=report, decision=form.cleaned_data["decision"], user=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"Rapport {report.year} validé : il peut être publié.")
            return redirect("reports:detail", pk=report.pk)
    context = _detail_context(report, is_pilot=is_pilot, form=form, decisions=decisions)
    return render(request, "reports/manage/detail.html", context, status=400)


def _confirm(request, report: AnnualReport, *, title: str, explanation: list[str], button: str, form=None):
    return render(
        request,
        "reports/manage/confirm.html",
        {
            "report": report,
            "title": title,
            "explanation": explanation,
            "button": button,
            "form": form,
            "action_url": request.path,
            "breadcrumbs": _crumbs(
                (
                    f"Rapport {report.year} — version {report.version}",
                    reverse("reports:detail", args=[report.pk]),
                ),
                (title, ""),
            ),
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def publish(request, pk: int):
    organisation, _is_pilot = _access(request, pilot=True)
    report = _report(organisation, pk)
    if request.method == "POST":
        try:
            report = services.report_publish(report=report, user=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, f"Rapport {report.year} version {report.version} publié.")
        return redirect("reports:detail", pk=report.pk)
    return _confirm(
        request,
        report,
        title=f"Publier le rapport {report.year}",
        explanation=[
            f"La version {report.version} sera publiée sur le site public avec ses données ouvertes.",
            "Une fois publiée, elle ne change plus : une erreur se corrige par une nouvelle version, avec un "
            "erratum ; la version publiée reste consultable.",
        ],
        button="Publier",
    )


@require_POST
def reopen(request, pk: int):
    organisation, _is_pilot = _access(request, pilot=True)
    report = _report(organisation, pk)
    try:
        services.report_reopen(report=report, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"Rapport {report.year} revenu au brouillon : sa validation est retirée.")
    return redirect("reports:detail", pk=report.pk)


@require_http_methods(["GET", "POST"])
def correct(request, pk: int):
    organisation, _is_pilot = _access(request, pilot=True)
    report = _report(organisation, pk)
    form = CorrectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.report_correct(
                report=report, erratum=form.cleaned_data["erratum"], user=request.user
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                f"Version {correction.version} du rapport {report.year} créée en brouillon ; la version "
                f"{report.version} reste publiée jusqu'à la publication de la nouvelle.",
            )
            return redirect("reports:detail", pk=correction.pk)
    return _confirm(
        request,
        report,
        title=f"Corriger le rapport {report.year}",
        explanation=[
            f"Une version {report.version + 1} est créée en brouillon à partir des valeurs enregistrées, "
            "avec votre erratum. Elle devra être validée par le COPIL puis publiée ; la version "
            f"{report.version} reste publiée et consultable.",
        ],
        button="Créer la nouvelle version",
        form=form,
    )


@require_GET
def report_file(request, pk: int, name: str):
    organisation, _is_pilot = _access(request)
    report = _report(organisation, pk)
    return file_response(report, name, public=False)
