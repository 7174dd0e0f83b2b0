"""The dropoff table, and intake control for admins, under /hubs/<hub_slug>/."""

from django.urls import path

from hub.intake import control_views, views

urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("intake/line/", views.intake_line, name="intake_line"),
    path("intake/items/", views.intake_item_search, name="intake_item_search"),
    path("intake/recent/", views.intake_recent, name="intake_recent"),
    path("dropoffs/<int:pk>/", views.dropoff_detail, name="dropoff_detail"),
    path("dropoffs/<int:pk>/undo/", views.dropoff_undo_view, name="dropoff_undo"),
    path("intake-control/", control_views.intake_control, name="intake_control"),
]
