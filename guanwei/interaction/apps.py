from django.apps import AppConfig


class InteractionConfig(AppConfig):
    name = "guanwei.interaction"
    verbose_name = "互动"

    def ready(self) -> None:
        from guanwei.interaction.access import register_rules

        register_rules()  # who may see a comment, activity or report (orgs.access)
        from guanwei.interaction.fetch import on_housekeeping
        from guanwei.publishing.events import housekeeping_pass

        housekeeping_pass.connect(
            on_housekeeping, weak=False, dispatch_uid="interaction.fetch_comments"
        )

        from guanwei.interaction.rules import load_pack_rules
        from guanwei.packs.events import pack_loaded

        pack_loaded.connect(load_pack_rules, dispatch_uid="interaction.moderation_rules")
