from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "guanwei.notify"
    verbose_name = "通知"
