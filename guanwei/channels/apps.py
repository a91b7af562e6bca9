from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "guanwei.channels"
    verbose_name = "官方账号"

    def ready(self) -> None:
        from guanwei.channels.access import register_rules

        register_rules()  # who may see an account (orgs.access.get_for)
