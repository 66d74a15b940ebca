from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "spaser.reports"
    verbose_name = "Rapport annuel, site public et données ouvertes"

    def ready(self) -> None:
        # The public scheme card lists the published reports, and the sitemap their pages.
        from spaser.schemes.public_selectors import FINGERPRINT_PARTS, SITEMAP_PARTS

        from .selectors import public_report_urls, publication_fingerprint

        FINGERPRINT_PARTS.append(publication_fingerprint)
        SITEMAP_PARTS.append(public_report_urls)
