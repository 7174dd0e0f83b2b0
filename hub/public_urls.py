"""The public status pages and feeds: no login."""

urlpatterns: list = []
