from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "guanwei.workflow"
    verbose_name = "审核流程"

    def ready(self) -> None:
        from guanwei.workflow.access import register_rules

        register_rules()  # the deciders of an open step see its post (orgs.access)
        # React to the content room's events without content importing workflow.
        from guanwei.content.hooks import on_material_submitted, on_revise
        from guanwei.content.panels import PostPanel, register
        from guanwei.workflow.actions import cancel_open_review, start_material_review
        from guanwei.workflow.forms import post_panel_forms
        from guanwei.workflow.queries import post_review_panel

        on_revise(
            "workflow",
            lambda post, actor, reason: cancel_open_review(post, actor=actor, reason=reason),
        )
        on_material_submitted(
            "workflow", lambda submission, actor: start_material_review(submission, actor=actor)
        )
        register(
            PostPanel(
                key="review",
                template="workflow/_review_panel.html",
                data=post_review_panel,
                forms=post_panel_forms,
                order=10,
            )
        )
