from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hub import languages
from hub.intake import views as intake_views
from overview import report_views, views

hub_patterns = [
    path("", views.hub_detail, name="hub_detail"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/", report_views.reports, name="reports"),
    path("exports/dropoffs.csv", report_views.export_dropoffs, name="export_dropoffs"),
    path("exports/stock.csv", report_views.export_stock, name="export_stock"),
    path("exports/ledger.csv", report_views.export_ledger, name="export_ledger"),
    path("intake/", intake_views.intake, name="intake"),
    path("intake/line/", intake_views.intake_line, name="intake_line"),
    path("intake/items/", intake_views.intake_item_search, name="intake_item_search"),
    path("intake/recent/", intake_views.intake_recent, name="intake_recent"),
    path("dropoffs/<int:pk>/", intake_views.dropoff_detail, name="dropoff_detail"),
    path("dropoffs/<int:pk>/undo/", intake_views.dropoff_undo_view, name="dropoff_undo"),
    path("", include("inventory.urls")),
    path("", include("hub.intake.urls")),
    path("", include("deliveries.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("hubs/<slug:hub_slug>/", include(hub_patterns)),
    path("status/", include("overview.public_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", languages.language_set, name="set_language"),
    path("healthz/", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
