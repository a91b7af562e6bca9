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
