"""Public pages (no login): the directory of adopted schemes, the card and the tree of one scheme, and the
site files (robots.txt, sitemap.xml). docs/public-site.md.

Every public page answers conditional GETs: its ETag comes from a cheap fingerprint (history dates of the
register, values of the organisation), so an unchanged page answers 304 without being rendered.
"""

from __future__ import annotations

import hashlib
from calendar import timegm

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.decorators import method_decorator
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from spaser.core.forms import SpaserForm
from spaser.organisations.selectors import membership_for

from . import public_selectors
from .models import Scheme, SchemeStatus

MAX_AGE = 300  # seconds a browser or a shared cache may reuse a public page without asking again
PAGE_SIZE = 20


def absolute(path: str) -> str:
    """The public address of `path`, from the configured origin (never from the request's Host header)."""
    return f"{settings.SPASER_BASE_URL}{path}"


def _user_key(request) -> str:
    user = getattr(request, "user", None)
    return f"u{user.pk}" if user is not None and user.is_authenticated else "anonyme"


def cache_for_visitor(request, response, *, max_age: int = MAX_AGE) -> HttpResponse:
    """Cache-Control of a public page: anonymous visitors get a shared-cacheable page; a signed-in user's page
    carries their name and a CSRF token, so it stays private."""
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    patch_vary_headers(response, ["Cookie"])
    return response


def _cache_headers(request, response, *, etag: str, last_modified) -> HttpResponse:
    """ETag, Last-Modified and Cache-Control of a public page."""
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(timegm(last_modified.utctimetuple()))
    return cache_for_visitor(request, response)


class ConditionalPublicMixin:
    """Answers 304 when the page's fingerprint matches the client's (If-None-Match / If-Modified-Since),
    before any rendering; sets the caching headers otherwise. Subclasses define `fingerprint()`."""

    http_method_names = ["get", "head", "options"]

    def fingerprint(self) -> public_selectors.Fingerprint:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        found = self.fingerprint()
        etag = quote_etag(f"{found.etag}-{_user_key(request)}")
        timestamp = timegm(found.last_modified.utctimetuple()) if found.last_modified else None
        if request.method in ("GET", "HEAD"):
            not_modified = get_conditional_response(request, etag=etag, last_modified=timestamp)
            if not_modified is not None:
                return _cache_headers(request, not_modified, etag=etag, last_modified=found.last_modified)
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 200:
            _cache_headers(request, response, etag=etag, last_modified=found.last_modified)
        return response


class DirectoryFilterForm(SpaserForm):
    q = forms.CharField(
        label="Rechercher un acheteur",
        help_text="Nom de l'acheteur ou du schéma, ou SIREN (9 chiffres).",
        required=False,
        max_length=100,
    )
    kind = forms.ChoiceField(label="Type d'acheteur", required=False)
    sort = forms.ChoiceField(
        label="Trier par",
        required=False,
        choices=[(key, label) for key, (label, _) in public_selectors.INDEX_SORTS.items()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Tous les types"), *public_selectors.buyer_kinds_in_directory()]


@method_decorator(login_not_required, name="dispatch")
class PublicSchemeListView(ConditionalPublicMixin, ListView):
    """The directory: adopted schemes, searchable by name or SIREN, filtered by buyer type, sorted and
    paginated."""

    template_name = "schemes/public/index.html"
    context_object_name = "schemes"
    paginate_by = PAGE_SIZE

    def fingerprint(self):
        return public_selectors.directory_fingerprint()

    def get_queryset(self):
        self.form = DirectoryFilterForm(self.request.GET or None)
        if self.form.is_bound and self.form.is_valid():
            data = self.form.cleaned_data
            self.filters = {key: data[key] for key in ("q", "kind") if data.get(key)}
            return public_selectors.directory(
                query=data["q"], kind=data["kind"], sort=data["sort"] or public_selectors.DEFAULT_SORT
            )
        self.filters = {}
        return public_selectors.directory()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        # Searches are canonical to the plain index; its later pages are pages of their own.
        paged = page.number > 1 and not self.filters
        canonical = reverse("public:index") + (f"?page={page.number}" if paged else "")
        # The public list mixes organisations: no organisation-specific banner here.
        context.update(
            organisation=None,
            is_demo=False,
            form=self.form,
            filters=self.filters,
            any_scheme=bool(self.filters) or page.paginator.count > 0 or Scheme.objects.adopted().exists(),
            canonical_url=absolute(canonical),
            page_description=(
                "Schémas de promotion des achats socialement et écologiquement responsables (SPASER) adoptés "
                "et suivis avec Spaser : fiche, axes, engagements, actions et indicateurs de chaque schéma."
            ),
        )
        return context


class PublicSchemeMixin(ConditionalPublicMixin):
    """A public scheme by slug: adopted or archived; a draft is 404 (as is a scheme that does not exist)."""

    context_object_name = "scheme"

    def fingerprint(self):
        found = public_selectors.scheme_fingerprint(self.kwargs["slug"])
        if found is None:
            raise Http404("Aucun schéma publié à cette adresse.")
        return found

    def get_queryset(self):
        return public_selectors.public_schemes()

    def scheme_context(self, *, page: str, url: str, description: str) -> dict:
        organisation = self.object.organisation
        card = reverse("public:scheme", args=[self.object.slug])
        breadcrumbs = [
            ("Schémas publiés", reverse("public:index")),
            (self.object.title, card if page else ""),
        ]
        if page:
            breadcrumbs.append((page, ""))
        return {
            "organisation": organisation,
            "is_demo": organisation.is_demo,
            "membership": membership_for(self.request.user, organisation),
            "public_scheme": self.object,
            "breadcrumbs": breadcrumbs,
            "canonical_url": absolute(url),
            "page_description": description,
            "card_url": card,
            "tree_url": reverse("public:scheme_tree", args=[self.object.slug]),
            # Part R's public report list; a plain path until its named URL exists.
            "reports_url": f"{card}rapports/",
        }


@method_decorator(login_not_required, name="dispatch")
class PublicSchemeView(PublicSchemeMixin, DetailView):
    """The directory card of a scheme (the fields of the national directory); an archived one is shown with
    a notice pointing to the one in force."""

    template_name = "schemes/public/scheme.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("axes__commitments", "organisation__buyers")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scheme = self.object
        editions = public_selectors.other_editions(scheme)
        context.update(
            self.scheme_context(
                page="",
                url=reverse("public:scheme", args=[scheme.slug]),
                description=(
                    f"{scheme.title} ({scheme.period_start}-{scheme.period_end}) de "
                    f"{scheme.organisation.name} : fiche du schéma, axes et engagements, rapports publiés."
                ),
            ),
            other_editions=editions,
            current_scheme=(
                next((other for other in editions if other.status == SchemeStatus.ADOPTED), None)
                if scheme.status == SchemeStatus.ARCHIVED
                else None
            ),
        )
        return context


@method_decorator(login_not_required, name="dispatch")
class PublicSchemeTreeView(PublicSchemeMixin, DetailView):
    """The whole scheme, readable without JavaScript: axes › commitments › objectives, actions, indicators
    with their yearly targets and the national target when one applies. A fixed number of queries."""

    template_name = "schemes/public/tree.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scheme = self.object
        axes = public_selectors.public_tree(scheme)
        context.update(
            self.scheme_context(
                page="Arbre du schéma",
                url=reverse("public:scheme_tree", args=[scheme.slug]),
                description=(
                    f"Arbre complet du {scheme.title} ({scheme.period_start}-{scheme.period_end}) de "
                    f"{scheme.organisation.name} : axes, engagements, objectifs, actions et indicateurs avec "
                    "leurs cibles."
                ),
            ),
            axes=axes,
            counts=public_selectors.tree_counts(axes),
        )
        return context


# --- Site files -------------------------------------------------------------------------------------------


def _site_file(request, response: HttpResponse) -> HttpResponse:
    """A small generated file: its ETag is the hash of its content (cheap), so a robot re-reading an
    unchanged sitemap gets a 304 without the body."""
    etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
    not_modified = get_conditional_response(request, etag=etag)
    response = not_modified or response
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


@login_not_required
@require_safe
def robots_txt(request):
    """Robots may read the public site and nothing else; the sitemap lists its pages."""
    lines = [
        "User-agent: *",
        f"Allow: {reverse('public:index')}",
        "Disallow: /",
        "",
        f"Sitemap: {absolute(reverse('sitemap'))}",
        "",
    ]
    return _site_file(request, HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8"))


@login_not_required
@require_safe
def sitemap_xml(request):
    """The public index and each public scheme's card and tree, with the date of their last change."""
    schemes = public_selectors.schemes_last_changed(public_selectors.public_schemes().order_by("slug"))
    urls = []
    for scheme, changed in schemes:
        for name in ("public:scheme", "public:scheme_tree"):
            urls.append({"loc": absolute(reverse(name, args=[scheme.slug])), "lastmod": changed})
    adopted = [changed for scheme, changed in schemes if scheme.status == SchemeStatus.ADOPTED and changed]
    urls.insert(0, {"loc": absolute(reverse("public:index")), "lastmod": max(adopted, default=None)})
    urls += [
        {"loc": absolute(path), "lastmod": None} for part in public_selectors.SITEMAP_PARTS for path in part()
    ]
    response = render(request, "schemes/public/sitemap.xml", {"urls": urls}, content_type="application/xml")
    return _site_file(request, response)
