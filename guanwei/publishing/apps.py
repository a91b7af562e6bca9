from typing import Any

from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "guanwei.publishing"
    verbose_name = "发布"

    def ready(self) -> None:
        from guanwei.publishing.access import register_rules

        register_rules()  # a publication is seen with its post (orgs.access)
        # React to the rooms below without them importing publishing (issue #8 §7).
        from guanwei.channels.events import status_changed
        from guanwei.content.hooks import on_revise
        from guanwei.content.panels import PostPanel, register
        from guanwei.publishing import actions
        from guanwei.publishing.forms import post_panel_forms
        from guanwei.publishing.queries import post_publishing_panel

        on_revise(
            "publishing",
            lambda post, actor, reason: actions.cancel_open_intents(
                post, actor=actor, reason=reason
            ),
        )

        def channel_changed(sender: Any, *, channel: Any, actor: Any, after: str, **_: Any) -> None:
            if after != "active":
                actions.cancel_channel_intents(channel, actor=actor, status=after)

        status_changed.connect(
            channel_changed, weak=False, dispatch_uid="publishing.channel_changed"
        )
        register(
            PostPanel(
                key="publishing",
                template="publishing/_panel.html",
                data=post_publishing_panel,
                forms=post_panel_forms,
                order=20,
            )
        )
