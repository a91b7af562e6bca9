from django.contrib import admin

from guanwei.channels.models import Channel, RequiredFollow
from guanwei.core.admin_mixins import ViewOnlyAdmin


@admin.register(Channel)
class ChannelAdmin(ViewOnlyAdmin, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("name", "platform", "unit", "status", "verified", "manager", "responsible")
    list_filter = ("platform", "status", "verified")


@admin.register(RequiredFollow)
class RequiredFollowAdmin(ViewOnlyAdmin, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("follower", "followee", "req", "satisfied", "last_checked_at")
