from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "spaser.campaigns"
    verbose_name = "Campagnes de saisie"
