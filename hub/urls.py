from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from hub import views

hub_patterns = [
    path("", views.hub_detail, name="hub_detail"),
    path("", include("inventory.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("hubs/<slug:hub_slug>/", include(hub_patterns)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz/", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
