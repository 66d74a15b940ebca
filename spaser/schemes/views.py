"""Register pages for members of the organisation: the access rule shared by every scheme page, reading
the register, and the scheme's own form. Editing inside a scheme is in `editing_views`, the public pages in
`public_views`, reads in `selectors`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import DetailView, FormView, TemplateView

from spaser.indicators.methods import METHODS
from spaser.organisations.permissions import (
    can_edit_register,
    can_update_action_progress,
    can_view_organisation,
)
from spaser.organisations.selectors import membership_for, organisation_for

from . import editing
from .forms import SchemeForm
from .models import Indicator, Scheme
from .selectors import describe_definition, register_tree

# --- Access ----------------------------------------------------------------------------------------------

VIEW, EDIT = "view", "edit"


class SchemeAccessMixin:
    """Resolves the scheme from the URL. Non-members of its organisation get a 404, members without the
    right to do what the view does get a 403."""

    permission = VIEW

    def dispatch(self, request, *args, **kwargs):
        self.scheme = get_object_or_404(Scheme.objects.select_related("organisation"), slug=kwargs["slug"])
        self.membership = membership_for(request.user, self.scheme.organisation)
        if not can_view_organisation(self.membership):
            raise Http404("Schéma introuvable.")
        self.check_permission()
        return super().dispatch(request, *args, **kwargs)

    def check_permission(self) -> None:
        if self.permission == EDIT and not can_edit_register(self.membership):
            raise PermissionDenied("Seul le pilote du schéma modifie le registre.")

    def scheme_url(self, anchor: str = "") -> str:
        url = reverse("schemes:detail", args=[self.scheme.slug])
        return f"{url}#{anchor}" if anchor else url

    def get_breadcrumbs(self) -> list[tuple[str, str]]:
        return [("Schéma", reverse("schemes:index")), (self.scheme.title, self.scheme_url())]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.scheme.organisation
        context.update(
            scheme=self.scheme,
            organisation=organisation,
            membership=self.membership,
            is_demo=organisation.is_demo,
            can_edit=can_edit_register(self.membership),
            breadcrumbs=self.get_breadcrumbs(),
        )
        return context


# --- Register pages --------------------------------------------------------------------------------------


def scheme_index(request):
    """/schema/: the organisation's current scheme, or an invitation to create one."""
    organisation = organisation_for(request.user)
    if organisation is not None:
        scheme = Scheme.objects.filter(organisation=organisation).current().first()
        if scheme is not None:
            return redirect("schemes:detail", slug=scheme.slug)
    return NoSchemeView.as_view()(request)


class NoSchemeView(TemplateView):
    template_name = "schemes/no_scheme.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = organisation_for(self.request.user)
        context["can_create"] = can_edit_register(membership_for(self.request.user, organisation))
        return context


class SchemeDetailView(SchemeAccessMixin, TemplateView):
    template_name = "schemes/scheme_detail.html"

    def get_breadcrumbs(self):
        return [("Schéma", reverse("schemes:index")), (self.scheme.title, "")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        axes = list(register_tree(self.scheme))
        updatable = set()
        for axis in axes:
            for commitment in axis.commitments.all():
                updatable.update(
                    action.pk
                    for action in commitment.actions.all()
                    if can_update_action_progress(self.membership, action)
                )
                for indicator in commitment.indicators.all():
                    label, params = describe_definition(indicator.method, indicator.params)
                    details = ", ".join(value for _, value in params)
                    indicator.method_label = f"{label} ({details})" if details else label
        context.update(
            axes=axes,
            updatable_action_ids=updatable,
            other_schemes=Scheme.objects.filter(organisation=self.scheme.organisation).exclude(
                pk=self.scheme.pk
            ),
        )
        return context


class IndicatorDetailView(SchemeAccessMixin, DetailView):
    template_name = "schemes/indicator_detail.html"
    context_object_name = "indicator"

    def get_queryset(self):
        return (
            Indicator.objects.filter(commitment__axis__scheme=self.scheme)
            .select_related("commitment__axis", "owner_direction")
            .prefetch_related("targets")
        )

    def get_breadcrumbs(self):
        return [*super().get_breadcrumbs(), (f"Indicateur {self.object.code}", "")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        method_label, params = describe_definition(self.object.method, self.object.params)
        known = METHODS.get(self.object.method)
        context.update(
            method_label=method_label,
            method_version=known.version if known else "",
            described_params=params,
            history=self.object.history.select_related("history_user")[:10],
        )
        return context


class SchemeFormView(SchemeAccessMixin, FormView):
    """The scheme's own fields (pilot)."""

    permission = EDIT
    form_class = SchemeForm
    template_name = "schemes/object_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.scheme}

    def get_breadcrumbs(self):
        return [*super().get_breadcrumbs(), ("Modifier le schéma", "")]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=f"Modifier le schéma « {self.scheme.title} »", cancel_url=self.scheme_url(), **kwargs
        )

    def form_valid(self, form):
        self.scheme = editing.register_object_save(instance=form.save(commit=False))
        messages.success(self.request, "Le schéma a été enregistré.")
        return redirect(self.scheme_url())


class SchemeCreateView(FormView):
    """A new scheme (new edition) for the pilot's organisation."""

    form_class = SchemeForm
    template_name = "schemes/object_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.organisation = organisation_for(request.user)
        if self.organisation is None:
            raise Http404("Aucune organisation.")
        if not can_edit_register(membership_for(request.user, self.organisation)):
            raise PermissionDenied("Seul le pilote du schéma crée un schéma.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Scheme(organisation=self.organisation)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title="Créer un schéma",
            cancel_url=reverse("schemes:index"),
            breadcrumbs=[("Schéma", reverse("schemes:index")), ("Créer un schéma", "")],
            **kwargs,
        )

    def form_valid(self, form):
        scheme = editing.register_object_save(instance=form.save(commit=False))
        messages.success(self.request, f"Le schéma « {scheme.title} » a été créé.")
        return redirect("schemes:detail", slug=scheme.slug)
