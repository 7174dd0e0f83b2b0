"""The network, under /hubs/<hub_slug>/."""

from django.urls import path

from network import views

urlpatterns = [
    path("network/", views.network, name="network"),
    path("network/offers/new/", views.offer_create, name="offer_create"),
    path("network/offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    path("network/offers/<int:pk>/claim/", views.claim_create, name="claim_create"),
    path("network/claims/<int:pk>/plan/", views.claim_plan, name="claim_plan"),
    path("network/claims/<int:pk>/hand-over/", views.claim_hand_over, name="claim_hand_over"),
    path("network/claims/<int:pk>/cancel/", views.claim_cancel, name="claim_cancel"),
]
