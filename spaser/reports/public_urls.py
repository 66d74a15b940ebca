"""Public report pages and open-data downloads, mounted under /public/ with the scheme pages (namespace
"public"): stable URLs per year and per version."""

urlpatterns: list = []
