"""Pages of the purchase projects app (filled in by issue 5)."""

urlpatterns: list = []
