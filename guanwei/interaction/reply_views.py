"""Replies from 互动台 (W-19, W-20): 保存草稿 / 提交审定 / 批准并发送 / 退回 / 发送 /
核实发送结果, each through one action of ``interaction.replies``; the page shows only the
buttons the person may use (``queries.reply_panels``), the actions check again.

A draft saved or submitted and refused (too long, screening blocked it, nobody to approve
it …) comes back in its box with the text as typed and the reason beside it: sent by htmx
(the form's ``hx-post``), the answer is the reply panel itself; otherwise the page, with
the text carried over the redirect (``views.keep_reply``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from guanwei.core.errors import DomainError
from guanwei.interaction import queries, replies
from guanwei.interaction.models import Comment, Reply
from guanwei.interaction.views import _back, _comment, keep_reply, next_url
from guanwei.orgs.models import User
from guanwei.orgs.pages import actor


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _to_page(request: HttpRequest, anchor: str = "") -> HttpResponse:
    target = next_url(request) + anchor
    if _htmx(request):  # the whole page again, with its messages
        response = HttpResponse(status=200)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def _refused_draft(
    request: HttpRequest, user: User, comment: Comment, text: str, reason: str
) -> HttpResponse:
    """The draft box again, with ``text`` as typed and why it was refused."""
    if _htmx(request):
        panel = queries.reply_panels(user, [comment], {comment.pk: (text, reason)})[comment.pk]
        if panel["may_draft"]:
            return render(
                request,
                "interaction/_reply_fragment.html",
                {"r": {"c": comment, "reply": panel}, "here": next_url(request)},
            )
    keep_reply(request, comment.pk, text, reason)
    messages.error(request, reason)
    return _to_page(request, f"#reply-{comment.pk}")


@login_required
@require_POST
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    comment = _comment(request, pk)
    op = request.POST.get("op", "")
    reply = None
    if op in ("approve", "reject", "send", "check"):
        raw = request.POST.get("reply", "")
        wanted = int(raw) if raw.isascii() and raw.isdigit() else 0
        reply = Reply.objects.filter(comment=comment, pk=wanted).first()
        if reply is None:
            messages.error(request, "没有找到这条回复，请刷新页面。")
            return _back(request)
    if op in ("save", "submit"):
        text = request.POST.get("text", "")
        try:
            done = replies.write_reply(comment, actor=user, text=text, submit=op == "submit")
        except DomainError as e:
            return _refused_draft(request, user, comment, text, e.message)
        messages.success(request, "已提交审定。" if op == "submit" else "草稿已保存。")
        if done.flags and op == "save":
            messages.warning(request, "回复有提示，请看回复下方的说明。")
        return _to_page(request)
    try:
        if reply is not None and op == "approve":
            outcome = replies.approve_reply(reply, actor=user)
            (messages.success if outcome.sent else messages.warning)(request, outcome.message)
        elif reply is not None and op == "reject":
            replies.reject_reply(reply, actor=user, reason=request.POST.get("reason", ""))
            messages.success(request, "已退回起草人。")
        elif reply is not None and op == "send":
            outcome = replies.send_reply(reply, actor=user)
            (messages.success if outcome.sent else messages.warning)(request, outcome.message)
        elif reply is not None and op == "check":
            outcome = replies.check_reply(reply, actor=user)
            (messages.success if outcome.sent else messages.warning)(request, outcome.message)
        else:
            messages.error(request, "请选择要执行的操作。")
    except DomainError as e:
        messages.error(request, e.message)
    return _back(request)
