"""Register pages (members of the organisation), pilot editing, referent follow-up, and the public pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.generic import DetailView, FormView, ListView, TemplateView

from spaser.indicators.methods import CONTRACT_FLAGS, MEASURES, METHODS
from spaser.indicators.models import IndicatorValue
from spaser.organisations.permissions import (
    can_edit_register,
    can_update_action_progress,
    can_view_organisation,
)
from spaser.organisations.selectors import membership_for, organisation_for

from . import editing
from .forms import (
    ActionForm,
    ActionProgressForm,
    AxisForm,
    CommitmentForm,
    IndicatorForm,
    ObjectiveForm,
    SchemeForm,
    target_formset,
)
from .models import Action, Axis, Commitment, Indicator, Objective, Scheme, SchemeStatus, Target

# --- Reads -----------------------------------------------------------------------------------------------


def register_tree(scheme: Scheme):
    """The scheme's axes with commitments, objectives, actions, indicators and targets, in a fixed number of
    queries whatever the size of the scheme."""
    return scheme.axes.prefetch_related(
        "commitments__objectives",
        Prefetch("commitments__actions", queryset=Action.objects.select_related("owner_direction")),
        Prefetch(
            "commitments__indicators",
            queryset=Indicator.objects.select_related("owner_direction").prefetch_related("targets"),
        ),
    )


def describe_definition(method: str, params: dict) -> tuple[str, list[tuple[str, str]]]:
    """The method and its parameters in French words, for people (not JSON)."""
    known = METHODS.get(method)
    label = known.label if known else f"Méthode inconnue « {method} »"
    described: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        if key == "measure":
            described.append(("Mesure", MEASURES.get(value, str(value))))
        elif key == "condition":
            described.append(
                (
                    "Condition",
                    f"marchés avec {CONTRACT_FLAGS[value]}" if value in CONTRACT_FLAGS else str(value),
                )
            )
        elif key == "include_frameworks":
            described.append(("Accords-cadres", "inclus (montants maximaux)" if value else "exclus"))
        else:
            described.append((key, str(value)))
    return label, described


def upper_first(text: str) -> str:
    """'l'axe « II »' → 'L'axe « II »' (str.capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]


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


# --- Generic create / edit / delete of register objects ---------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """How one kind of register object is named, found inside a scheme, and attached to its parent."""

    model: type
    form_class: type
    singular: str  # "l'axe"
    indefinite: str  # "un axe"
    done_suffix: str  # "" or "e" (agreement of the past participle)
    anchor: str
    scope: str  # lookup from the object to its scheme
    parent_model: type
    parent_field: str
    parent_scope: str  # lookup from the parent to its scheme ("" when the parent is the scheme)

    def queryset(self, scheme: Scheme):
        return self.model.objects.filter(**{self.scope: scheme})

    def parent(self, scheme: Scheme, pk) -> object:
        if self.parent_model is Scheme:
            return scheme
        return get_object_or_404(self.parent_model.objects.filter(**{self.parent_scope: scheme}), pk=pk)

    def describe(self, obj) -> str:
        if isinstance(obj, Objective):
            return f"{self.singular} « {obj} »"
        code = getattr(obj, "code", "")
        title = getattr(obj, "title", None) or getattr(obj, "name", "")
        return f"{self.singular} « {code + ' — ' if code else ''}{title} »"


AXIS = Kind(Axis, AxisForm, "l'axe", "un axe", "", "axe", "scheme", Scheme, "scheme", "")
COMMITMENT = Kind(
    Commitment, CommitmentForm, "l'engagement", "un engagement", "", "engagement", "axis__scheme",
    Axis, "axis", "scheme",
)  # fmt: skip
OBJECTIVE = Kind(
    Objective, ObjectiveForm, "l'objectif", "un objectif", "", "objectif", "commitment__axis__scheme",
    Commitment, "commitment", "axis__scheme",
)  # fmt: skip
ACTION = Kind(
    Action, ActionForm, "l'action", "une action", "e", "action", "commitment__axis__scheme",
    Commitment, "commitment", "axis__scheme",
)  # fmt: skip
INDICATOR = Kind(
    Indicator, IndicatorForm, "l'indicateur", "un indicateur", "", "indicateur", "commitment__axis__scheme",
    Commitment, "commitment", "axis__scheme",
)  # fmt: skip


class RegisterObjectMixin(SchemeAccessMixin):
    permission = EDIT
    kind: Kind = AXIS

    def anchor_for(self, obj) -> str:
        return f"{self.kind.anchor}-{obj.pk}"

    def success_url_for(self, obj) -> str:
        if isinstance(obj, Indicator):
            return reverse("schemes:indicator_detail", args=[self.scheme.slug, obj.pk])
        return self.scheme_url(self.anchor_for(obj))


class RegisterCreateView(RegisterObjectMixin, FormView):
    template_name = "schemes/object_form.html"

    def get_parent(self):
        if not hasattr(self, "_parent"):
            self._parent = self.kind.parent(self.scheme, self.kwargs.get("parent_pk"))
        return self._parent

    def get_form_class(self):
        return self.kind.form_class

    def get_form_kwargs(self):
        instance = self.kind.model(**{self.kind.parent_field: self.get_parent()})
        return {**super().get_form_kwargs(), "instance": instance, "scheme": self.scheme}

    def get_breadcrumbs(self):
        return [*super().get_breadcrumbs(), (f"Ajouter {self.kind.indefinite}", "")]

    def get_context_data(self, **kwargs):
        parent = self.get_parent()
        parent_label = ""
        if isinstance(parent, Axis):
            parent_label = f"Dans {AXIS.describe(parent)}"
        elif isinstance(parent, Commitment):
            parent_label = f"Dans {COMMITMENT.describe(parent)}"
        return super().get_context_data(
            page_title=f"Ajouter {self.kind.indefinite}",
            parent_label=parent_label,
            cancel_url=self.scheme_url("" if parent is self.scheme else f"{self._parent_anchor(parent)}"),
            **kwargs,
        )

    def _parent_anchor(self, parent) -> str:
        return f"{'axe' if isinstance(parent, Axis) else 'engagement'}-{parent.pk}"

    def form_valid(self, form):
        obj = editing.register_object_save(instance=form.save(commit=False))
        messages.success(
            self.request, f"{upper_first(self.kind.describe(obj))} a été créé{self.kind.done_suffix}."
        )
        return redirect(self.success_url_for(obj))


class RegisterUpdateView(RegisterObjectMixin, FormView):
    template_name = "schemes/object_form.html"

    def get_object(self):
        if not hasattr(self, "_object"):
            self._object = get_object_or_404(self.kind.queryset(self.scheme), pk=self.kwargs["pk"])
        return self._object

    def get_form_class(self):
        return self.kind.form_class

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_object(), "scheme": self.scheme}

    def get_breadcrumbs(self):
        return [*super().get_breadcrumbs(), (f"Modifier {self.kind.singular}", "")]

    def get_context_data(self, **kwargs):
        obj = self.get_object()
        return super().get_context_data(
            page_title=f"Modifier {self.kind.describe(obj)}", cancel_url=self.success_url_for(obj), **kwargs
        )

    def form_valid(self, form):
        obj = editing.register_object_save(instance=form.save(commit=False))
        messages.success(
            self.request, f"{upper_first(self.kind.describe(obj))} a été enregistré{self.kind.done_suffix}."
        )
        return redirect(self.success_url_for(obj))


class RegisterDeleteView(RegisterObjectMixin, TemplateView):
    """GET asks for confirmation and says what goes with the object; POST deletes."""

    template_name = "schemes/object_confirm_delete.html"

    def get_object(self):
        if not hasattr(self, "_object"):
            self._object = get_object_or_404(self.kind.queryset(self.scheme), pk=self.kwargs["pk"])
        return self._object

    def consequences(self) -> list[str]:
        """What goes with the object, in words ("3 engagements", "12 valeurs d'indicateurs")."""
        obj = self.get_object()
        counts: list[tuple[int, str, str]] = []
        if isinstance(obj, Axis | Commitment):
            scope = {"commitment__axis": obj} if isinstance(obj, Axis) else {"commitment": obj}
            if isinstance(obj, Axis):
                counts.append((obj.commitments.count(), "engagement", "engagements"))
            counts += [
                (Objective.objects.filter(**scope).count(), "objectif", "objectifs"),
                (Action.objects.filter(**scope).count(), "action", "actions"),
                (Indicator.objects.filter(**scope).count(), "indicateur", "indicateurs"),
            ]
            indicators = Indicator.objects.filter(**scope)
        else:
            indicators = Indicator.objects.filter(pk=obj.pk) if isinstance(obj, Indicator) else None
        if indicators is not None:
            counts.append((Target.objects.filter(indicator__in=indicators).count(), "cible", "cibles"))
            values = IndicatorValue.objects.filter(indicator__in=indicators).count()
            counts.append((values, "valeur d'indicateur", "valeurs d'indicateurs"))
        return [f"{n} {singular if n == 1 else plural}" for n, singular, plural in counts if n]

    def get_breadcrumbs(self):
        return [*super().get_breadcrumbs(), (f"Supprimer {self.kind.singular}", "")]

    def get_context_data(self, **kwargs):
        obj = self.get_object()
        return super().get_context_data(
            page_title=f"Supprimer {self.kind.describe(obj)}",
            consequences=self.consequences(),
            cancel_url=self.success_url_for(obj),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        label = self.kind.describe(obj)
        parent_anchor = ""
        if isinstance(obj, Commitment):
            parent_anchor = f"axe-{obj.axis_id}"
        elif isinstance(obj, Objective | Action | Indicator):
            parent_anchor = f"engagement-{obj.commitment_id}"
        editing.register_object_delete(instance=obj)
        messages.success(request, f"{upper_first(label)} a été supprimé{self.kind.done_suffix}.")
        return redirect(self.scheme_url(parent_anchor))


class TargetsView(SchemeAccessMixin, TemplateView):
    """The targets of one indicator, one row per year of the scheme period (pilot)."""

    permission = EDIT
    template_name = "schemes/targets_form.html"

    def get_indicator(self) -> Indicator:
        if not hasattr(self, "_indicator"):
            self._indicator = get_object_or_404(
                Indicator.objects.filter(commitment__axis__scheme=self.scheme).select_related(
                    "commitment__axis"
                ),
                pk=self.kwargs["pk"],
            )
        return self._indicator

    def get_breadcrumbs(self):
        indicator = self.get_indicator()
        url = reverse("schemes:indicator_detail", args=[self.scheme.slug, indicator.pk])
        return [*super().get_breadcrumbs(), (f"Indicateur {indicator.code}", url), ("Cibles", "")]

    def get_context_data(self, **kwargs):
        indicator = self.get_indicator()
        kwargs.setdefault("formset", target_formset(indicator))
        return super().get_context_data(
            indicator=indicator,
            cancel_url=reverse("schemes:indicator_detail", args=[self.scheme.slug, indicator.pk]),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        indicator = self.get_indicator()
        formset = target_formset(indicator, data=request.POST)
        if not formset.is_valid():
            return self.render_to_response(self.get_context_data(formset=formset))
        changes = editing.indicator_targets_save(indicator=indicator, values=formset.values())
        if changes.total:
            messages.success(
                request,
                f"Cibles de l'indicateur {indicator.code} enregistrées ({changes.created} ajoutée(s), "
                f"{changes.updated} modifiée(s), {changes.deleted} supprimée(s)).",
            )
        else:
            messages.info(request, f"Aucune cible de l'indicateur {indicator.code} n'a changé.")
        return redirect("schemes:indicator_detail", slug=self.scheme.slug, pk=indicator.pk)


class ActionProgressView(SchemeAccessMixin, FormView):
    """Status, progress and a comment for one action: the pilot, or a referent of the owner direction."""

    form_class = ActionProgressForm
    template_name = "schemes/action_progress.html"

    def check_permission(self) -> None:
        self.action = get_object_or_404(
            Action.objects.filter(commitment__axis__scheme=self.scheme).select_related(
                "owner_direction", "commitment__axis"
            ),
            pk=self.kwargs["pk"],
        )
        if not can_update_action_progress(self.membership, self.action):
            raise PermissionDenied(
                "Seuls le pilote et les référents de la direction pilote mettent à jour cette action."
            )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.action}

    def get_breadcrumbs(self):
        return [*super().get_breadcrumbs(), ("Mettre à jour l'avancement", "")]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            action=self.action,
            history=self.action.history.select_related("history_user")[:10],
            cancel_url=self.scheme_url(f"action-{self.action.pk}"),
            **kwargs,
        )

    def form_valid(self, form):
        editing.action_progress_update(
            action=self.action,
            status=form.cleaned_data["status"],
            progress=form.cleaned_data["progress"],
            comment=form.cleaned_data.get("comment", ""),
        )
        messages.success(self.request, f"L'avancement de l'action « {self.action.title} » a été mis à jour.")
        return redirect(self.scheme_url(f"action-{self.action.pk}"))


# --- Public pages (no login) -----------------------------------------------------------------------------


@method_decorator(login_not_required, name="dispatch")
class PublicSchemeListView(ListView):
    template_name = "schemes/public/index.html"
    context_object_name = "schemes"

    def get_queryset(self):
        return (
            Scheme.objects.adopted()
            .select_related("organisation")
            .order_by("organisation__name", "-period_start")
        )

    def get_context_data(self, **kwargs):
        # The public list mixes organisations: no organisation-specific banner here.
        return super().get_context_data(organisation=None, is_demo=False, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class PublicSchemeView(DetailView):
    """The directory card of an adopted scheme (an archived one is shown with a notice; drafts are 404)."""

    template_name = "schemes/public/scheme.html"
    context_object_name = "scheme"

    def get_queryset(self):
        return (
            Scheme.objects.exclude(status=SchemeStatus.DRAFT)
            .select_related("organisation")
            .prefetch_related("axes__commitments", "organisation__buyers")
        )

    def get_context_data(self, **kwargs):
        organisation = self.object.organisation
        context = super().get_context_data(**kwargs)
        context.update(
            organisation=organisation,
            is_demo=organisation.is_demo,
            membership=membership_for(self.request.user, organisation),
            current_scheme=(
                Scheme.objects.adopted().filter(organisation=organisation).exclude(pk=self.object.pk).first()
                if self.object.status == SchemeStatus.ARCHIVED
                else None
            ),
            breadcrumbs=[("Schémas publiés", reverse("public:index")), (self.object.title, "")],
        )
        return context
