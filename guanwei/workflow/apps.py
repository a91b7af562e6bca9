from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "guanwei.workflow"
    verbose_name = "审核流程"

    def ready(self) -> None:
        from guanwei.content.panels import PostPanel, register
        from guanwei.workflow.forms import post_panel_forms
        from guanwei.workflow.queries import post_review_panel

        register(
            PostPanel(
                key="review",
                template="workflow/_review_panel.html",
                data=post_review_panel,
                forms=post_panel_forms,
                order=10,
            )
        )
