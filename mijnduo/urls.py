"""Mijn DUO-beheer, mounted at /mijn-duo/ (namespace "mijnduo"); activation at /activeren/."""

from django.urls import path

from . import views

app_name = "mijnduo"

urlpatterns = [
    path("gebruikers/", views.users, name="users"),
    path("gebruikers/nieuw/", views.user_create, name="user_create"),
    path("gebruikers/<int:user_id>/", views.user_roles, name="user_roles"),
    path("gebruikers/<int:user_id>/activatiecode/", views.user_send_code, name="user_send_code"),
    path("logboek/", views.log, name="log"),
    path("activeren/", views.activate, name="activate"),
    path("activeren/gekoppeld/", views.activate_linked, name="activate_linked"),
]
