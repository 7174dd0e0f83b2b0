"""Intake control for admins, under /hubs/<hub_slug>/."""

from django.urls import path

from hub.intake import control_views, pledge_views

urlpatterns: list = [
    path("intake-control/", control_views.intake_control, name="intake_control"),
    path("pledges/<int:pk>/cancel/", pledge_views.pledge_cancel_view, name="pledge_cancel"),
]
