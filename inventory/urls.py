from django.urls import path

from inventory import views

urlpatterns = [
    path("stock/", views.stock_list, name="stock_list"),
]
