from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from deliveries import shelter_views
from hub import join_views, languages, people_views, tablet_views
from hub.intake import catalog_views, offline_views, pledge_views
from hub.intake import views as intake_views
from hub.login import LoginForm
from operations import setup_views
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
    path("intake/offline.json", offline_views.intake_offline_data, name="intake_offline_data"),
    path("intake/tiles/", catalog_views.intake_tiles, name="intake_tiles"),
    path("intake/new-items/", catalog_views.item_review, name="item_review"),
    path("intake/other-names/", catalog_views.item_aliases, name="item_aliases"),
    path("dropoffs/<int:pk>/", intake_views.dropoff_detail, name="dropoff_detail"),
    path("dropoffs/<int:pk>/undo/", intake_views.dropoff_undo_view, name="dropoff_undo"),
    path("people/", people_views.people, name="people"),
    path("people/<int:member_id>/", people_views.people_change, name="people_change"),
    path("tablets/enrol/", tablet_views.tablet_enrol_view, name="tablet_enrol"),
    path("tablets/revoke/", tablet_views.tablet_revoke_view, name="tablet_revoke"),
    path("tablets/sessions/", tablet_views.tablet_settings_view, name="tablet_settings"),
    path("join-code/", join_views.join_code, name="join_code"),
    path("join-code/revoke/", join_views.join_code_revoke_view, name="join_code_revoke"),
    path("", include("overview.stock_urls")),
    path("", include("hub.intake.urls")),
    path("", include("deliveries.urls")),
    path("", include("network.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("hubs/<slug:hub_slug>/", include(hub_patterns)),
    path("new-hub/", setup_views.hub_create_view, name="hub_create"),
    path("join/<str:token>/", join_views.join, name="join"),
    path("tablet/", tablet_views.tablet_switch, name="tablet_switch"),
    path("tablet/<int:member_id>/", tablet_views.tablet_pin, name="tablet_pin"),
    path("account/pin/", tablet_views.account_pin, name="account_pin"),
    path("status/", include("overview.public_urls")),
    path("pledge/", pledge_views.pledge, name="pledge"),
    path("needs/<str:token>/", shelter_views.shelter_needs, name="shelter_needs"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The link a coordinator's password reset shows (People page): sets a new one, once.
    path(
        "accounts/password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            post_reset_login=True,
            post_reset_login_backend="django.contrib.auth.backends.ModelBackend",
            success_url=reverse_lazy("home"),
        ),
        name="password_set",
    ),
    path("i18n/setlang/", languages.language_set, name="set_language"),
    path("healthz/", views.healthz, name="healthz"),
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("offline/", offline_views.offline_page, name="offline_page"),
    path("admin/", admin.site.urls),
]

# A database failure anywhere in the request answers 503 "nothing was saved" (hub/unavailable.py).
handler500 = "hub.unavailable.server_error"
