from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "guanwei.workflow"
    verbose_name = "审核流程"
