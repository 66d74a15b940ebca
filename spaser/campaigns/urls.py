from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("ouvrir/", views.campaign_open, name="open"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/cloturer/", views.campaign_close, name="close"),
    path("<int:pk>/rouvrir/", views.campaign_reopen, name="reopen"),
    path("<int:pk>/relancer/", views.campaign_remind, name="remind"),
    path("saisie/<int:pk>/", views.entry_detail, name="entry"),
    path("saisie/<int:pk>/valider/", views.entry_validate, name="validate"),
    path("saisie/<int:pk>/renvoyer/", views.entry_send_back, name="send_back"),
    path("saisie/<int:pk>/justificatif/", views.entry_evidence, name="evidence"),
]
