from django.contrib import admin
from django.urls import include, path

from spaser.reports.public_urls import urlpatterns as public_report_urlpatterns
from spaser.schemes.urls import public_urlpatterns as public_scheme_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("schema/", include("spaser.schemes.urls")),
    path("marches/", include("spaser.contracts.urls")),
    path("imports/", include("spaser.contracts.import_urls")),
    path("registres/", include("spaser.registers.urls")),
    path("titulaires/", include("spaser.suppliers.urls")),
    path("saisies/", include("spaser.campaigns.urls")),
    path("renouvellements/", include("spaser.renewals.urls")),
    path("projets/", include("spaser.projects.urls")),
    path("mes-taches/", include("spaser.tasks.urls")),
    path("gouvernance/", include("spaser.governance.urls")),
    path("rapports/", include("spaser.reports.urls")),
    path("api/", include("spaser.api.urls")),
    path("observatoire/", include("spaser.observatory.urls")),
    path("taches/", include("spaser.core.job_urls")),
    path("audit/", include("spaser.audit.urls")),
    path("public/", include(([*public_scheme_urlpatterns, *public_report_urlpatterns], "public"))),
    path("", include("spaser.schemes.site_urls")),
    path("", include("spaser.core.urls")),
]
