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
        # E-06: the watchlist's readings (加V, post figures, commenters) in the one active
        # scheduler's pass, so one process asks the platforms (docs/decisions/0027).
        from guanwei.interaction.watchlist import on_scheduler_pass
        from guanwei.publishing.events import scheduler_pass

        scheduler_pass.connect(
            on_scheduler_pass, weak=False, dispatch_uid="interaction.watch_refresh"
        )

        from guanwei.interaction.rules import load_pack_rules
        from guanwei.packs.events import pack_loaded

        pack_loaded.connect(load_pack_rules, dispatch_uid="interaction.moderation_rules")
