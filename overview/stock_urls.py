from django.urls import path

from inventory import import_views
from overview import barcode_views, label_views, stock_alert_views
from overview import stock_views as views

urlpatterns = [
    path("stock/", views.stock_list, name="stock_list"),
    path("stock/import/", import_views.stock_import, name="stock_import"),
    path("stock/expiring/", views.stock_expiring, name="stock_expiring"),
    path("stock/items/<int:item_pk>/", views.item_detail, name="item_detail"),
    path(
        "stock/items/<int:item_pk>/rules/",
        stock_alert_views.item_rules_set,
        name="item_rules_set",
    ),
    path("stock/expiry-days/", stock_alert_views.expiry_days_set, name="expiry_days_set"),
    path("stock/batches/discard/", stock_alert_views.batch_discard_view, name="batch_discard"),
    path("stock/batches/to-run/", stock_alert_views.batch_to_run_view, name="batch_to_run"),
    path(
        "stock/items/<int:item_pk>/barcodes/",
        barcode_views.item_barcodes,
        name="item_barcodes",
    ),
    path(
        "stock/items/<int:item_pk>/<slug:action>/",
        views.item_change,
        name="item_change",
    ),
    path("stock/locations/labels/", label_views.location_labels, name="location_labels"),
    path(
        "stock/locations/<int:location_pk>/count/",
        views.location_count_view,
        name="location_count",
    ),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/emails/", views.alert_emails_toggle, name="alert_emails_toggle"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
]
