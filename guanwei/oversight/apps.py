from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "guanwei.oversight"
    verbose_name = "督查"

    def ready(self) -> None:
        from guanwei.oversight.access import register_rules

        register_rules()  # who may see a deadline (orgs.access)
        from guanwei.content.panels import PostPanel, register
        from guanwei.oversight.hooks import on_intents_released, on_post_published
        from guanwei.oversight.queries import post_corrections_panel
        from guanwei.oversight.scheduler import tick
        from guanwei.publishing.events import intents_released, post_published, scheduler_pass

        post_published.connect(on_post_published, dispatch_uid="oversight.corrections")
        intents_released.connect(on_intents_released, dispatch_uid="oversight.quotas_ahead")
        from guanwei.channels.events import unregistered_decided, unregistered_reported
        from guanwei.oversight.hooks import on_unregistered_decided, on_unregistered_reported

        unregistered_reported.connect(
            on_unregistered_reported, dispatch_uid="oversight.unregistered_reported"
        )
        unregistered_decided.connect(
            on_unregistered_decided, dispatch_uid="oversight.unregistered_decided"
        )
        scheduler_pass.connect(
            lambda **_: tick(), weak=False, dispatch_uid="oversight.deadline_tick"
        )
        register(
            PostPanel(
                key="corrections",
                template="oversight/_corrections_panel.html",
                data=post_corrections_panel,
                order=30,
            )
        )
