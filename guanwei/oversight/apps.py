from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "guanwei.oversight"
    verbose_name = "督查"
