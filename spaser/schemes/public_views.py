"""Public pages (no login): the directory of adopted schemes and the card of one scheme."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.generic import DetailView, ListView

from spaser.organisations.selectors import membership_for

from .models import Scheme, SchemeStatus


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
