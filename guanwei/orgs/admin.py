from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group

from guanwei.core.admin_mixins import ViewOnlyAdmin
from guanwei.orgs.models import Membership, Organisation, PackApplication, Unit, User


@admin.register(User)
class PersonAdmin(ViewOnlyAdmin, UserAdmin):  # type: ignore[misc]
    """Read-only (issue #9 §19, decision 0013): people, their passwords, superuser and
    staff flags change only through the audited actions and the operator's commands, never
    behind them in the admin."""

    list_display = ("username", "display_name", "title", "is_active", "is_superuser")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("guanwei", {"fields": ("display_name", "title", "phone")}),
    )


@admin.register(Organisation)
class OrganisationAdmin(ViewOnlyAdmin, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("name", "key", "base_pack")


@admin.register(Unit)
class UnitAdmin(ViewOnlyAdmin, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("name", "key", "unit_type", "organisation", "depth")
    list_filter = ("organisation",)
    readonly_fields = ("path", "depth")


@admin.register(Membership)
class MembershipAdmin(ViewOnlyAdmin, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("user", "unit", "role", "granted_at", "revoked_at")
    list_filter = ("role",)


@admin.register(PackApplication)
class PackApplicationAdmin(ViewOnlyAdmin, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ("organisation", "pack_name", "version", "in_force_from", "in_force_until")
    readonly_fields = ("rules",)


# Django's own groups and permissions are not how guanwei grants rights (roles come from the
# pack, granted by orgs.actions.grant_role): not editable in the admin either (#9 §19).
admin.site.unregister(Group)
