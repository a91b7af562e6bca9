from django.apps import AppConfig


class PacksConfig(AppConfig):
    name = "guanwei.packs"
    verbose_name = "制度包"
