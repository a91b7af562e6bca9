from django.contrib import admin

from guanwei.core.admin_mixins import ViewOnlyAdmin
from guanwei.workflow.models import Filing, StepRun, WorkflowRun


@admin.register(WorkflowRun)
class WorkflowRunAdmin(ViewOnlyAdmin, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("id", "chain_name", "subject", "status", "started_at")
    list_filter = ("status",)


@admin.register(StepRun)
class StepRunAdmin(ViewOnlyAdmin, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("id", "run", "name", "unit", "status", "activated_at")
    list_filter = ("status",)


@admin.register(Filing)
class FilingAdmin(ViewOnlyAdmin, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("id", "title", "chain_name", "filed_at")
