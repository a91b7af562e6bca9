"""Who may see the content room's objects (issue #9 §3): the rules ``orgs.access.get_for``
applies to posts, their versions, drop-box material and library files. Registered at
start-up (``ContentConfig.ready``); workflow adds the deciders of an open step."""

from __future__ import annotations

from guanwei.content import queries
from guanwei.content.models import Asset, Post, PostRevision, Submission, Text, WeekPlan
from guanwei.orgs.access import may_see, register
from guanwei.orgs.models import User
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
