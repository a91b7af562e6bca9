"""The product's catalogue: every permission name a pack may grant to a role or a duty,
and the other closed vocabularies (scopes, platforms, channel statuses).

Pure Python (no Django import) so the pack validator can check packs without a database,
and at the bottom of the house so that ``orgs`` (which checks permissions) and ``packs``
(which validates the names a pack grants) both use it without using each other.
Each entry is ``name -> Chinese label`` (the label is what the UI shows). Later issues
add their names here; a pack granting a name not in this catalogue is refused.
"""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    # orgs
    "unit.view": "查看部门",
    "unit.create": "新建部门",
    "unit.move": "调整部门隶属",
    "unit.change": "修改部门信息",
    "person.view": "查看人员",
    "person.create": "登记人员",
    "role.grant": "授予角色",
    "role.revoke": "撤销角色",
    "role.confirm": "确认敏感角色的授予",  # issue #9 §9: the second person
    # channels (C-01, C-08, W-04, W-07)
    "channel.view": "查看官方账号",
    "channel.create": "登记官方账号",
    "channel.change": "修改官方账号",
    "channel.approve": "审批账号开通与关闭",
    "channel.apply": "申请开通、变更或关闭官方账号",  # C-02, C-03, W-04 (decision 0033)
    "follow.manage": "管理关注关系",
    # packs
    "pack.load": "加载制度包",
    "category.approve": "审定信息类别增减",
    # audit
    "audit.view": "查看审计日志",
    # content and workflow (later issues)
    "material.submit": "报送素材",
    "material.approve": "审定本单位素材",
    "dropbox.manage": "处理报送箱",
    "post.create": "撰写稿件",
    "post.review": "审核稿件",
    "post.file": "备案",
    "post.schedule": "安排发布",
    "post.publish": "发布",
    "post.emergency": "快速发布（随时发布）",  # the pack names its fast path (issue #10 §2)
    # screening
    "lexicon.manage": "管理敏感词库",
    # interaction, vault, oversight (later issues)
    "comment.moderate": "处理评论",
    "question.answer": "答复网友提问",
    "activity.approve": "审批互动活动",
    "credential.reveal": "查看账号密码",
    "credential.manage": "管理账号密码",
    "incident.handle": "处置突发事件",
    "report.view": "查看统计报表",
    "assessment.manage": "考核通报",
}

# Issue #9 §9 (MLPS 三员分立): a role carrying any of these is sensitive — granting it needs a
# second person's confirmation and never takes effect for the granter's own account. A pack
# lists its sensitive roles (``[security] sensitive_roles``); a role carrying one of these
# through its permissions or a duty counts as sensitive even when the list forgets it.
SENSITIVE_PERMISSIONS: frozenset[str] = frozenset(
    {
        "material.approve",
        "post.review",
        "post.file",
        "post.publish",
        "post.emergency",
        "channel.approve",
        "activity.approve",
        "category.approve",
        "credential.reveal",
        "credential.manage",
        "role.grant",
        "role.revoke",
        "role.confirm",
        "pack.load",
        "audit.view",
    }
)

# Two factors (issue #9 §11): who must use one when GUANWEI_MFA=required. The one list: a
# person holding any of these permissions through any role or duty of the pack in force
# (reviewers, publishers, custodians, administrators) must enrol; so must Django staff and
# superusers. A pack's wildcard ("unit.*") counts for every name it covers.
SECOND_FACTOR_PERMISSIONS: frozenset[str] = frozenset(
    {
        "post.review",
        "material.approve",
        "post.file",
        "post.schedule",
        "post.publish",
        "post.emergency",
        "credential.reveal",
        "credential.manage",
        "channel.approve",
        "unit.create",
        "unit.move",
        "unit.change",
        "role.grant",
        "role.revoke",
        "role.confirm",  # the three administrators (issue #9 §9)
        "audit.view",
        "pack.load",
        "lexicon.manage",
    }
)

SCOPES: dict[str, str] = {
    "unit": "本部门",
    "subtree": "本部门及下级",
    "organisation": "全单位",
}

PLATFORMS: dict[str, str] = {
    "weibo": "新浪微博",
    "wechat": "微信公众号",
    "website": "网站",
    "outbox": "本地发件箱",
    "other": "其他新媒体",
}

CHANNEL_STATUSES: dict[str, str] = {
    "pending": "待审批",
    "active": "运行中",
    "suspended": "暂停",
    "closed": "已关闭",
}
