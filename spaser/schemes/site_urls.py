"""Site-wide public files at the root (robots.txt, sitemap.xml): no login, cacheable."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("robots.txt", public_views.robots_txt, name="robots"),
    path("sitemap.xml", public_views.sitemap_xml, name="sitemap"),
]
