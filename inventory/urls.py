from django.urls import path

from inventory import views

urlpatterns = [
    path("stock/", views.stock_list, name="stock_list"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/emails/", views.alert_emails_toggle, name="alert_emails_toggle"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
]
