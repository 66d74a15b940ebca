from django.contrib import admin
from django.urls import include, path

from spaser.schemes.urls import public_urlpatterns as public_scheme_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("schema/", include("spaser.schemes.urls")),
    path("public/", include((public_scheme_urlpatterns, "public"))),
    path("", include("spaser.core.urls")),
]
