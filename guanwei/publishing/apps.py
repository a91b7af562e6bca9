from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "guanwei.publishing"
    verbose_name = "发布"
