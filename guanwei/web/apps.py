from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "guanwei.web"
    verbose_name = "界面"

    def ready(self) -> None:
        from guanwei.web import logins  # noqa: F401  (the login events' audit receivers)
