from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "guanwei.workflow"
    verbose_name = "审核流程"

    def ready(self) -> None:
        # React to the content room's events without content importing workflow.
        from guanwei.content.hooks import on_material_submitted, on_revise
        from guanwei.workflow.actions import cancel_open_review, start_material_review

        on_revise(
            "workflow",
            lambda post, actor, reason: cancel_open_review(post, actor=actor, reason=reason),
        )
        on_material_submitted(
            "workflow", lambda submission, actor: start_material_review(submission, actor=actor)
        )
