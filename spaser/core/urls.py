from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", login_not_required(auth_views.LoginView.as_view()), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("tableau-de-bord/", include("spaser.indicators.urls")),
]
