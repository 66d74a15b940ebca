"""Pilot editing inside a scheme: the generic create / edit / delete of register objects, an indicator's
targets, and an action's progress (pilot or referent of the owner direction)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from spaser.indicators.models import IndicatorValue
from spaser.organisations.permissions import can_update_action_progress

from . import editing
from .forms import (
    ActionForm,
    ActionProgressForm,
    AxisForm,
    CommitmentForm,
    IndicatorForm,
    ObjectiveForm,
    target_formset,
)
from .models import Action, Axis, Commitment, Indicator, Objective, Scheme, Target
from .selectors import upper_first
from .views import EDIT, SchemeAccessMixin


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

    def get_object(self):
        """The object named in the URL, looked up inside this scheme only (another scheme's pk is a 404)."""
        if not hasattr(self, "_object"):
            self._object = get_object_or_404(self.kind.queryset(self.scheme), pk=self.kwargs["pk"])
        return self._object

    def get_form_class(self):
        return self.kind.form_class


class RegisterCreateView(RegisterObjectMixin, FormView):
    template_name = "schemes/object_form.html"

    def get_parent(self):
        if not hasattr(self, "_parent"):
            self._parent = self.kind.parent(self.scheme, self.kwargs.get("parent_pk"))
        return self._parent

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
            cancel_url=self.scheme_url("" if parent is self.scheme else self._parent_anchor(parent)),
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

    def indicator_url(self) -> str:
        return reverse("schemes:indicator_detail", args=[self.scheme.slug, self.get_indicator().pk])

    def get_breadcrumbs(self):
        indicator = self.get_indicator()
        return [
            *super().get_breadcrumbs(),
            (f"Indicateur {indicator.code}", self.indicator_url()),
            ("Cibles", ""),
        ]

    def get_context_data(self, **kwargs):
        indicator = self.get_indicator()
        kwargs.setdefault("formset", target_formset(indicator))
        return super().get_context_data(
            indicator=indicator,
            cancel_url=self.indicator_url(),
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
        return redirect(self.indicator_url())


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
