from django.urls import path

from . import views

urlpatterns = [
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("inloggen/tweede-stap/", views.second_factor, name="second_factor"),
    path("inloggen/authenticator-koppelen/", views.enrol_totp, name="enrol_totp"),
    path("inloggen/organisatie/", views.sso_start, name="oidc_authentication_init"),
    path("inloggen/organisatie/terug/", views.sso_callback, name="oidc_authentication_callback"),
    path("uitloggen/", views.logout_view, name="logout"),
]
