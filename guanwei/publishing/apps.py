from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "guanwei.publishing"
    verbose_name = "发布"

    def ready(self) -> None:
        from guanwei.content.panels import PostPanel, register
        from guanwei.publishing.forms import post_panel_forms
        from guanwei.publishing.queries import post_publishing_panel

        register(
            PostPanel(
                key="publishing",
                template="publishing/_panel.html",
                data=post_publishing_panel,
                forms=post_panel_forms,
                order=20,
            )
        )
