"""Deliveries, under /hubs/<hub_slug>/."""

from django.urls import path

from deliveries import run_views, shelter_views, transfer_views, views

urlpatterns = [
    path("destinations/", views.destination_list, name="destination_list"),
    path("destinations/new/", views.destination_create, name="destination_create"),
    path("destinations/<int:pk>/", views.destination_detail, name="destination_detail"),
    path("destinations/<int:pk>/edit/", views.destination_edit, name="destination_edit"),
    path("destinations/<int:pk>/needs/", views.destination_need_add, name="destination_need_add"),
    path(
        "destinations/<int:pk>/needs/<int:need_pk>/",
        views.destination_need_edit,
        name="destination_need_edit",
    ),
    path(
        "destinations/<int:pk>/needs/<int:need_pk>/delete/",
        views.destination_need_delete,
        name="destination_need_delete",
    ),
    path("destinations/<int:pk>/link/", shelter_views.destination_link, name="destination_link"),
    path(
        "destinations/<int:pk>/requests/<int:request_pk>/",
        shelter_views.need_request_decide,
        name="need_request_decide",
    ),
    path("runs/", run_views.run_list, name="run_list"),
    path("runs/new/", run_views.run_create, name="run_create"),
    path("runs/report/", run_views.delivery_report, name="delivery_report"),
    path("runs/export.csv", run_views.run_export, name="run_export"),
    path("runs/<int:pk>/", run_views.run_detail, name="run_detail"),
    path("runs/<int:pk>/edit/", run_views.run_edit, name="run_edit"),
    path("runs/<int:pk>/picking/", run_views.run_picking_start, name="run_picking_start"),
    path("runs/<int:pk>/dispatch/", run_views.run_dispatch, name="run_dispatch"),
    path("runs/<int:pk>/cancel/", run_views.run_cancel, name="run_cancel"),
    path("runs/<int:pk>/pick-list/", run_views.run_pick_list, name="run_pick_list"),
    path("runs/<int:pk>/drive/", run_views.run_drive, name="run_drive"),
    path("runs/<int:pk>/stops/new/", run_views.stop_create, name="stop_create"),
    path("runs/<int:pk>/stops/line-row/", run_views.stop_line_row, name="stop_line_row"),
    path("runs/<int:pk>/stops/<int:stop_pk>/", run_views.stop_edit, name="stop_edit"),
    path("runs/<int:pk>/stops/<int:stop_pk>/remove/", run_views.stop_remove, name="stop_remove"),
    path("runs/<int:pk>/stops/<int:stop_pk>/move/", run_views.stop_move, name="stop_move"),
    path("runs/<int:pk>/stops/<int:stop_pk>/deliver/", run_views.stop_deliver, name="stop_deliver"),
    path("transfers/", transfer_views.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/", transfer_views.transfer_detail, name="transfer_detail"),
    path(
        "transfers/<int:pk>/send-back/",
        transfer_views.transfer_send_back,
        name="transfer_send_back",
    ),
]
