"""The public status pages and feeds: no login."""

from django.urls import path

from overview import public_views

urlpatterns = [
    path("", public_views.network_status, name="public_status"),
    path("feed.json", public_views.network_feed, name="public_feed"),
    path("<slug:hub_slug>/", public_views.hub_status, name="public_hub_status"),
    path("<slug:hub_slug>/feed.json", public_views.hub_feed, name="public_hub_feed"),
]
