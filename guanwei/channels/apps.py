from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "guanwei.channels"
    verbose_name = "官方账号"
