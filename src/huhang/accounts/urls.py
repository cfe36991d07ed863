from django.urls import path

from huhang.accounts import views
from huhang.accounts.twofactor import views as twofactor

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("2fa/", twofactor.otp_verify, name="otp_verify"),
    path("2fa/setup/", twofactor.otp_setup, name="otp_setup"),
    path("2fa/reset/", twofactor.otp_reset_list, name="otp_reset_list"),
    path("2fa/reset/do/", twofactor.otp_reset, name="otp_reset"),
]
