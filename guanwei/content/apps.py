from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "guanwei.content"
    verbose_name = "稿件与报送"
