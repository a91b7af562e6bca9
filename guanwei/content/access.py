"""Who may see the content room's objects (issue #9 §3): the rules ``orgs.access.get_for``
applies to posts, their versions, drop-box material and library files. Registered at
start-up (``ContentConfig.ready``); workflow adds the deciders of an open step."""

from __future__ import annotations

from guanwei.content import queries
from guanwei.content.models import Asset, Post, PostRevision, Submission, Text, WeekPlan
from guanwei.orgs.access import may_anywhere, may_see, register
from guanwei.orgs.models import Organisation, Unit, User
from guanwei.orgs.permissions import can

# who holds one of these on the file's unit sees its library
LIBRARY = ("post.create", "material.submit", "post.review", "material.approve")


def _asset(user: User, asset: Asset) -> bool:
    """A library file: its unit's writers, providers and their leaders (who review what
    the unit sends), and whoever may open a post or material it is attached to."""
    if any(can(user, p, asset.unit) for p in LIBRARY):
        return True
    for item in Submission.objects.filter(assets=asset).select_related(
        "drop_box", "provider_unit", "post"
    )[:20]:
        if queries.may_view_material(user, item):
            return True
    posts = Post.objects.filter(revisions__assets=asset).select_related("unit").distinct()
    return any(queries.may_view_post(user, p) for p in posts[:20])


def register_rules() -> None:
    register(Post, queries.post_rule, name="content")
    register(PostRevision, lambda user, rev: queries.may_view_post(user, rev.post), name="content")
    register(Submission, queries.material_rule, name="content")
    register(Asset, _asset, name="content")
    # E-02: a library text, for its unit's writers, providers and their reviewers
    register(Text, lambda user, text: any(can(user, p, text.unit) for p in LIBRARY), name="content")
    # a week plan is seen by whoever may open one of its days (writers, reviewers)
    register(
        WeekPlan,
        lambda user, plan: any(may_see(user, p) for p in plan.posts.all()[:7]),
        name="content",
    )


# ------------------------------------------------------------------ who opens which page
# One function per page, called by the page itself and by the menu (guanwei.web.menu): a
# menu entry shows exactly when its page opens (issue #10 §6).


def post_list_units(user: User, organisation: Organisation) -> list[Unit]:
    """The units whose posts the post list shows: where one writes or reviews."""
    return [
        u
        for u in organisation.units.all()
        if can(user, "post.create", u) or can(user, "post.review", u)
    ]


def may_open_post_list(user: User, organisation: Organisation) -> bool:
    """Writers and reviewers (their units' posts), and the providers of material (the posts
    made from it, W-11)."""
    # bool(post_list_units(...)), from the person's grants (every page's menu asks it)
    return (
        may_anywhere(user, organisation, "post.create")
        or may_anywhere(user, organisation, "post.review")
        or bool(queries.provider_units(user, organisation))
    )


def may_open_dropbox(user: User, organisation: Organisation) -> bool:
    """报送箱: who runs a drop box, who may send material, or who once sent some."""
    return (
        may_anywhere(user, organisation, "dropbox.manage")
        or may_anywhere(user, organisation, "material.submit")
        or queries.my_submissions(user).filter(organisation=organisation).exists()
    )


def library_units(user: User, organisation: Organisation) -> list[Unit]:
    """The units whose library one uploads to: writers and providers."""
    return [
        u
        for u in organisation.units.all()
        if can(user, "post.create", u) or can(user, "material.submit", u)
    ]


def may_open_asset_library(user: User, organisation: Organisation) -> bool:
    """bool(library_units(...)), from the person's grants."""
    return may_anywhere(user, organisation, "post.create") or may_anywhere(
        user, organisation, "material.submit"
    )
