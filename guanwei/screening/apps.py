from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "guanwei.screening"
    verbose_name = "内容筛查"
