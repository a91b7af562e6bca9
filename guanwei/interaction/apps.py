from django.apps import AppConfig


class InteractionConfig(AppConfig):
    name = "guanwei.interaction"
    verbose_name = "互动"

    def ready(self) -> None:
        from guanwei.interaction.access import register_rules

        register_rules()  # who may see a comment, activity or report (orgs.access)
