"""Raadplegen ELIP personen, mounted at /elip/personen/ (namespace "elip").

Persons are addressed by their opaque ``public_id``; the BSN is only ever POSTed to the search.
"""

from django.urls import path

from .views import downloads, persons

urlpatterns = [
    path("", persons.search, name="persons_search"),
    path("overzicht/", persons.overview, name="persons_list"),
    path("<uuid:public_id>/", persons.detail, name="person_detail"),
    path("<uuid:public_id>/brief/", downloads.person_letter, name="person_letter"),
    path("<uuid:public_id>/examens/<str:component>/", persons.exam, name="person_exam"),
    path("<uuid:public_id>/contracten/<int:pk>/", persons.contract, name="person_contract"),
    path("<uuid:public_id>/facturen/<int:pk>/", persons.invoice, name="person_invoice"),
]
