from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "huhang.api"
    label = "api"
    verbose_name = "API"
