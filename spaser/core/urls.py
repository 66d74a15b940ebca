from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from . import auth, views

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", login_not_required(auth.LoginView.as_view()), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    # Single sign-on (OpenID Connect): 404 unless SPASER_OIDC_CLIENT_ID and its companions are set.
    path("connexion/oidc/", auth.oidc_authenticate, name="oidc_authentication_init"),
    path("connexion/oidc/retour/", auth.oidc_callback, name="oidc_authentication_callback"),
    path("tableau-de-bord/", include("spaser.indicators.urls")),
]
