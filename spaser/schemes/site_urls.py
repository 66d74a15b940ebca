"""Site-wide public files at the root (robots.txt, sitemap.xml)."""

urlpatterns: list = []
