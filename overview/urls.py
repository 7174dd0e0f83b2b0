"""The pages that combine apps, under /hubs/<hub_slug>/."""

from django.urls import path

from overview import report_views, views

urlpatterns = [
    path("", views.hub_detail, name="hub_detail"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/", report_views.reports, name="reports"),
    path("exports/dropoffs.csv", report_views.export_dropoffs, name="export_dropoffs"),
    path("exports/stock.csv", report_views.export_stock, name="export_stock"),
    path("exports/ledger.csv", report_views.export_ledger, name="export_ledger"),
]
