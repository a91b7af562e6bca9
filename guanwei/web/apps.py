from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "guanwei.web"
    verbose_name = "界面"
