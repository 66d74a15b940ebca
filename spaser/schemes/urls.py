"""Register pages, mounted under /schema/ (namespace "schemes"); public pages, mounted under /public/
(namespace "public", see `public_urlpatterns`)."""

from django.urls import path

from . import editing_views, public_views, views

app_name = "schemes"


def register_paths(
    prefix: str, parent_prefix: str, kind: editing_views.Kind, name: str, new: str = "nouveau"
):
    return [
        path(
            f"<slug:slug>/{parent_prefix}{prefix}/{new}/",
            editing_views.RegisterCreateView.as_view(kind=kind),
            name=f"{name}_create",
        ),
        path(
            f"<slug:slug>/{prefix}/<int:pk>/modifier/",
            editing_views.RegisterUpdateView.as_view(kind=kind),
            name=f"{name}_edit",
        ),
        path(
            f"<slug:slug>/{prefix}/<int:pk>/supprimer/",
            editing_views.RegisterDeleteView.as_view(kind=kind),
            name=f"{name}_delete",
        ),
    ]


urlpatterns = [
    path("", views.scheme_index, name="index"),
    path("nouveau/", views.SchemeCreateView.as_view(), name="scheme_create"),
    path("<slug:slug>/", views.SchemeDetailView.as_view(), name="detail"),
    path("<slug:slug>/modifier/", views.SchemeFormView.as_view(), name="scheme_edit"),
    *register_paths("axes", "", editing_views.AXIS, "axis"),
    *register_paths("engagements", "axes/<int:parent_pk>/", editing_views.COMMITMENT, "commitment"),
    *register_paths("objectifs", "engagements/<int:parent_pk>/", editing_views.OBJECTIVE, "objective"),
    *register_paths(
        "actions", "engagements/<int:parent_pk>/", editing_views.ACTION, "action", new="nouvelle"
    ),
    *register_paths("indicateurs", "engagements/<int:parent_pk>/", editing_views.INDICATOR, "indicator"),
    path(
        "<slug:slug>/actions/<int:pk>/avancement/",
        editing_views.ActionProgressView.as_view(),
        name="action_progress",
    ),
    path("<slug:slug>/indicateurs/<int:pk>/", views.IndicatorDetailView.as_view(), name="indicator_detail"),
    path(
        "<slug:slug>/indicateurs/<int:pk>/cibles/",
        editing_views.TargetsView.as_view(),
        name="indicator_targets",
    ),
]

public_urlpatterns = [
    path("", public_views.PublicSchemeListView.as_view(), name="index"),
    path("<slug:slug>/", public_views.PublicSchemeView.as_view(), name="scheme"),
    path("<slug:slug>/arbre/", public_views.PublicSchemeTreeView.as_view(), name="scheme_tree"),
]
