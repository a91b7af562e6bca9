from django.apps import AppConfig


class InteractionConfig(AppConfig):
    name = "guanwei.interaction"
    verbose_name = "互动"

    def ready(self) -> None:
        from guanwei.interaction.access import register_rules

        register_rules()  # who may see a comment, activity or report (orgs.access)
        from guanwei.interaction.actions import on_pack_loaded
        from guanwei.packs.events import pack_loaded

        # a pack's [[moderation]] rules become rows when it loads (W-18)
        pack_loaded.connect(on_pack_loaded, dispatch_uid="interaction.moderation_rules")
