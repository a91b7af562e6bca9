from django.contrib import admin

from guanwei.content.models import Post, Submission
from guanwei.core.admin_mixins import ViewOnlyAdmin


@admin.register(Post)
class PostAdmin(ViewOnlyAdmin, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("id", "title", "unit", "status", "created")
    list_filter = ("status",)
    search_fields = ("title",)


@admin.register(Submission)
class SubmissionAdmin(ViewOnlyAdmin, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("id", "title", "drop_box", "status", "created")
    list_filter = ("status",)
