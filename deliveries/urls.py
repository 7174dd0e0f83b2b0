"""Deliveries, under /hubs/<hub_slug>/."""

from django.urls import path

from deliveries import views

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
]
