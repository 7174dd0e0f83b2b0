"""The project's URLs: each app's pages under /hubs/<hub_slug>/, the public status, login."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hub import languages
from overview import views

hub_patterns = [
    path("", include("overview.urls")),
    path("", include("hub.intake.urls")),
    path("", include("inventory.urls")),
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
