"""Intake control for admins, under /hubs/<hub_slug>/."""

urlpatterns: list = []
