from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "guanwei.notify"
    verbose_name = "通知"

    def ready(self) -> None:
        from guanwei.notify.access import register_rules

        register_rules()  # a notice is for its addressee (orgs.access)
