# ruff: noqa: E501  (a translation table: long strings stay on one line)
"""Fill the zh_Hans catalogue from the table below (run by `make messages` after makemessages).

Usage: python scripts/translate_zh.py guanwei/locale/zh_Hans/LC_MESSAGES/django.po
Untranslated msgids are listed so nothing slips through.
"""

from __future__ import annotations

import re
import sys

ZH = {
    "Person": "人员",
    "Role": "角色",
    "New parent unit": "新的上级部门",
    "Identifier": "标识",
    "Name": "名称",
    "Unit type": "部门类型",
    "Account name": "账号名称",
    "Account ID": "账号ID",
    "Purpose and publishing scope": "用途和信息发布范围",
    "Manager": "管理员",
    "Responsible person": "直接责任人",
    "Status": "状态",
    "Real-name verified": "实名认证",
    "Log in": "登录",
    "Log in to guanwei": "登录官微",
    "Official account governance: material, review, publishing and accountability in one place.": "官方账号管理平台：报送、审核、发布、问责，一处办理。",
    "Wrong username or password. Please try again.": "用户名或密码错误，请重新输入。",
    "Username": "用户名",
    "Password": "密码",
    "Time": "时间",
    "Who": "操作人",
    "Action": "操作",
    "Object": "对象",
    "Nothing recorded yet.": "暂无记录。",
    "Audit log": "审计日志",
    "Every change is recorded here and chained by SHA-256 hashes; run “guanwei audit verify” "
    "to check the chain.": "每一项变更都记录在此，并以 SHA-256 哈希链接；运行“guanwei audit verify”可校验完整性。",
    "Older records": "更早的记录",
    "guanwei": "官微",
    "Official account governance": "官方账号管理",
    "Dashboard": "工作台",
    "Units": "部门",
    "People": "人员",
    "Accounts": "官方账号",
    "Required follows": "必须关注",
    "Rule book": "制度",
    "Organisation": "单位",
    "Switch": "切换",
    "Log out": "退出",
    "Kind": "类型",
    "Unit": "部门",
    "Yes": "是",
    "No": "否",
    "must follow": "必须关注",
    "must follow this account": "必须关注本账号",
    "None.": "无。",
    "Edit account": "修改账号信息",
    "Save": "保存",
    "History": "变更记录",
    "Official accounts": "官方账号",
    "Account": "账号",
    "Platform": "平台",
    "Verified": "认证",
    "No official account is registered yet.": "尚未登记官方账号。",
    "Active accounts": "运行中账号",
    "Awaiting approval": "待审批",
    "Audit records": "审计记录",
    "Publishing principles": "发布原则",
    "The rule book names no principles.": "制度未规定发布原则。",
    "Rule books in force:": "现行制度：",
    "My roles": "我的角色",
    "You hold no role in this organisation.": "您在本单位没有角色。",
    "Recent changes": "最近变更",
    "Full audit log": "完整审计日志",
    "Accounts that must follow other accounts under the rule book (e.g. a county account follows the provincial and city accounts). They are checked on the platforms once a day.":
        "按制度必须关注的账号（如县级微博须关注省局、市局微博），每天与平台核对一次。",
    "Check on the platforms now": "立即与平台核对",
    "Checked %(n)d follows: %(v)d missing, %(e)d could not be checked.": "已核对 %(n)d 项关注：%(v)d 项未关注，%(e)d 项无法核对。",
    "Must follow": "必须关注",
    "Rule": "依据",
    "Last checked": "最近核对",
    "Result": "结果",
    "Not checked yet": "尚未核对",
    "Following": "已关注",
    "Not following": "未关注",
    "No required follows.": "没有必须关注的账号。",
    "No organisation yet": "尚无所属单位",
    "You do not hold a role in any unit. Ask your administrator to grant you a role.": "您尚未在任何部门担任角色，请联系管理员为您授予角色。",
    "Rule book in force": "现行制度",
    "Versions": "版本记录",
    "Pack": "制度包",
    "Version": "版本",
    "In force from": "生效时间",
    "Until": "失效时间",
    "now": "至今",
    "Principles": "原则",
    "Roles": "角色",
    "Content categories": "信息类别",
    "Columns": "专栏",
    "Account kinds": "账号类型",
    "People and their roles": "人员及角色",
    "Title": "职务",
    "Nobody yet.": "暂无人员。",
    "People and roles": "人员与角色",
    "Since": "任职时间",
    "Revoke this role?": "确定撤销该角色吗？",
    "Revoke": "撤销",
    "Nobody holds a role here yet.": "本部门尚无人员任职。",
    "Grant a role": "授予角色",
    "Grant": "授予",
    "Duties": "职责",
    "The rule book gives this unit type no duties.": "制度未规定此类部门的职责。",
    "This unit runs no official account.": "本部门没有官方账号。",
    "Subordinate units": "下级部门",
    "Add a subordinate unit": "新增下级部门",
    "Add unit": "新增",
    "Move this unit": "调整隶属",
    "Move": "调整",
    "Unit tree": "组织机构",
    "%(n)s person": "%(n)s 人",
    "%(n)s account": "%(n)s 个账号",
    "— choose —": "— 请选择 —",
    "— none —": "— 无 —",
    "Audit chain verification queued.": "已提交审计链校验，稍候刷新查看结果。",
    "Verify the audit chain": "校验审计链",
    "Verification waiting for the task worker…": "等待后台任务执行校验…",
    "Text": "正文", "Account kind": "账号类型", "Title (WeChat)": "标题（微信）", "Source": "信息来源",
    "Has a picture": "配有图片", "— any —": "— 不限 —", "Term": "词语", "Category": "类别",
    "Handling": "处理方式", "Note": "备注", "Also match pinyin": "同时匹配拼音",
    "Word list (one term per line, UTF-8)": "词表文件（每行一个词，UTF-8）", "Verdict": "结论",
    "Blocked — cannot be submitted": "禁止发布——不能提交审核",
    "Needs a reviewer's attention": "需审核人重点核查", "Passed": "通过", "allowed": "白名单",
    "Terms found": "命中词语", "Found as": "原文", "Position": "位置", "block": "禁止",
    "review": "审核", "Rules": "规则", "%(n)s hit masked by the allow-list.": "%(n)s 处命中被白名单排除。",
    "Lexicon version": "词库版本", "The result appears here.": "筛查结果将显示在这里。",
    "Lexicon": "敏感词库", "Lexicon of this organisation": "本单位敏感词库",
    "These terms are screened on top of the shipped lexicons and the rule book's lists. Changes take effect at once and are recorded in the audit log.":
        "这些词语在系统内置词库和制度包词表之外一并筛查。修改立即生效，并记入审计日志。",
    "Add a term": "新增词语", "Add": "新增", "Import a word list": "导入词表", "Import": "导入",
    "Search": "搜索", "Remove this term?": "确定删除该词语吗？", "Remove": "删除",
    "No terms of your own yet.": "尚未添加本单位词语。",
    "Showing the first terms; search to narrow down.": "仅显示前若干条，请用搜索缩小范围。",
    "Content screening": "内容筛查",
    "Paste a draft to see what the rule book's lexicons and format rules say before you submit it. Nothing is saved.":
        "粘贴稿件，提交前先看词库和格式规则的检查结果。此处不保存任何内容。",
    "Check": "检查", "Term added; screening uses it from now on.": "已新增词语，立即生效。",
    "Please fill in the term and its category.": "请填写词语和类别。",
    "Choose a word list file to import.": "请选择要导入的词表文件。",
    "The file is not UTF-8 text; save it as UTF-8 and try again.": "文件不是 UTF-8 文本，请另存为 UTF-8 后重试。",
    "%(n)d terms imported.": "已导入 %(n)d 个词语。", "Term removed.": "已删除词语。", "Screening": "内容筛查",
    "Provider unit": "信息提供单位", "Drop box": "报送箱", "Content": "内容",
    "Pictures and attachments": "图片和附件", "Reason": "原因", "Sub-type": "子类",
    "Column": "专栏", "Publish to": "发布账号", "Pictures from the library": "素材库图片",
    "Planned time": "计划发布时间", "Major event / emergency / sensitive issue": "涉及重大事件、突发事件或社会敏感问题",
    "Special weather (fast path)": "特殊天气（随时发布）", "File": "文件", "Picture library": "素材库",
    "Picture and attachment library": "图片与附件素材库", "Upload": "上传", "The library is empty.": "素材库为空。",
    "Send material": "报送素材", "All": "全部", "Filter": "筛选", "Received": "收到时间", "From": "来自",
    "Public": "网友", "post": "稿件", "The drop box is empty.": "报送箱为空。", "Older": "更早",
    "What I sent": "我报送的素材", "Approved by the provider's leader": "分管领导审定", "Used in": "采用于",
    "Approve": "同意", "Reason for returning": "退回原因", "Return": "退回", "Take": "受理",
    "Make a post from it": "据此撰写稿件", "Decline": "不予采用", "Send material to a drop box": "向报送箱报送素材",
    "Your unit's supervising leader approves the material first where the rule book asks for it; then it lands in the publishing unit's drop box.":
        "按制度须经本单位分管领导审定的素材，审定后才进入发布单位的报送箱。",
    "Send": "报送", "Changes": "修改对比", "Back to the post": "返回稿件", "Edit post": "修改稿件",
    "Write a post": "撰写稿件",
    "Saving makes a new version; an approval in progress or given is withdrawn and the new version must be reviewed again.":
        "保存将生成新版本；进行中或已通过的审核随之撤销，新版本须重新审核。",
    "From drop-box material:": "来自报送素材：", "Posts": "稿件", "Author": "撰稿人", "Created": "创建时间",
    "No posts yet.": "暂无稿件。", "Material sent.": "素材已报送。", "Material taken.": "已受理。",
    "Please give the reason; the provider will see it.": "请填写原因，报送单位会看到。",
    "Material declined; the provider sees the reason.": "已不予采用，报送单位可看到原因。",
    "You may not write posts in any unit.": "您没有在任何部门撰写稿件的权限。",
    "Choose a unit you may write for.": "请选择您可以撰稿的部门。", "Post saved as version 1.": "稿件已保存为第 1 版。",
    "Saved as version %(n)d.": "已保存为第 %(n)d 版。", "Choose a file and a unit.": "请选择文件和部门。",
    "Added to the library.": "已加入素材库。", "Review": "审核", "Opinion": "审核意见",
    "I have checked the highlighted terms": "已核查标出的词语", "Reason (returned to the editor)": "理由（退回撰稿人）",
    "Approval chain": "审核流程", "Deputy": "代审人", "On behalf of": "被代审人", "Delegations": "代审授权",
    "Review by a deputy": "副组长代审", "A deputy may review in the leader's place only with the executive leader's recorded consent.":
        "组长不在时，副组长经执行组长同意后方可代为审核。",
    "Record consent": "登记同意", "The rule book allows no delegation.": "制度不允许代审。", "for": "代",
    "consent": "同意人", "revoked": "已撤销", "Filings": "备案", "Export CSV": "导出 CSV", "Filed": "备案时间",
    "Approvers": "审核人", "Content hash": "内容指纹", "Nothing filed yet.": "暂无备案。", "version": "版本",
    "Edit": "修改", "Submit for review": "提交审核", "Approval form (PDF)": "审批表（PDF）", "Flag": "标记",
    "is approved by every step and may be scheduled.": "已通过全部审核环节，可以安排发布。",
    "Waiting for": "等待", "since": "自", "Return to the editor": "退回撰稿人", "Not submitted for review yet.": "尚未提交审核。",
    "changes": "修改对比", "Review queue": "待审核", "Waiting for review": "待我审核", "Mine": "我的",
    "Whole organisation": "全单位", "Waiting since": "等待自", "Hours": "小时", "Item": "事项", "Step": "环节",
    "as deputy": "代审", "Nothing waits for you.": "没有待您审核的事项。", "More": "更多",
    "Submitted for review.": "已提交审核。", "Approved.": "已同意。", "Returned to the editor with your reason.": "已退回撰稿人并附理由。",
    "Delegation recorded.": "已登记代审授权。", "Delegation revoked.": "已撤销代审授权。",
    "Next free slot": "下一个空闲时段", "At a time": "指定时间", "Now": "立即发布", "When": "发布时间",
    "Give the time.": "请填写时间。", "Date": "日期", "Holiday (rest day)": "节假日（休息）",
    "Adjusted working day": "调休上班日", "Publishing": "发布",
    "The approval came after the planned time, so nothing was published. Choose a new time:":
        "审核通过时已过计划发布时间，稿件未发布。请重新选择发布时间：",
    "Reschedule": "重新安排", "Schedule": "安排发布", "Attempts": "发送记录", "view": "查看",
    "Cancel this publication?": "确定取消这次发布吗？", "Cancel": "取消",
    "Approved versions can be scheduled here.": "审核通过的版本可在此安排发布。",
    "Editorial calendar": "发布日历", "Previous week": "上一周", "This week": "本周", "Next week": "下一周",
    "Month": "月视图", "Export iCalendar": "导出日历（iCalendar）", "Holidays": "节假日设置",
    "All accounts": "全部账号", "Show": "显示",
    "The official holiday calendar for %(years)s is not known yet: rest days fall back to Saturday and Sunday. An administrator can enter the year's holidays and adjusted working days under Holidays.":
        "%(years)s 年的法定节假日安排尚未内置：暂按周六、周日作为休息日。管理员可在“节假日设置”中录入当年的放假和调休安排。",
    "rest": "休", "No active accounts.": "没有运行中的账号。", "Holidays and adjusted working days": "节假日与调休",
    "Rest days follow the State Council calendar. For a year that is not built in yet, enter the published holidays and adjusted working days here.":
        "休息日按国务院公布的节假日安排确定。尚未内置的年份，请在此录入公布的放假和调休日期。",
    "known": "已内置", "not known yet — Saturday and Sunday are used": "尚未内置——暂按周六周日休息",
    "None entered.": "尚未录入。", "Scheduled: %(times)s": "已安排发布：%(times)s",
    "Publication cancelled.": "已取消发布。", "Saved.": "已保存。", "Calendar": "发布日历",
    "Deadlines": "时限督办", "Due": "时限", "What": "事项", "escalated": "已升级提醒",
    "Link of the repost": "转发链接", "Reposted": "已转发", "Nothing here.": "暂无。",
    "Repost recorded.": "已登记转发。", "Correction issued: the publishing unit has 10 minutes.": "已发布订正通知：发布单位须在 10 分钟内更换。",
    "What changed (Observatory)": "订正内容（气象台填写）", "Issue a correction": "发布订正通知",
    "%(name)s publishes for it.": "由%(name)s代为发布。",
    "Authorised person": "被授权人", "Scope of the authorisation": "授权范围", "Valid from": "有效期自",
    "Valid until": "有效期至", "Authorisation form": "授权审批表", "Print (PDF)": "打印（PDF）",
    "Application form (PDF)": "申请审批表（PDF）",
    "Role granted.": "已授予角色。",
    "Role revoked.": "已撤销角色。",
    "Unit moved.": "已调整隶属。",
    "Unit created.": "已新增部门。",
    "Account saved.": "账号信息已保存。",
}


def unescape(s: str) -> str:
    return s.replace('\\"', '"').replace("\\n", "\n")


def escape(s: str) -> str:
    return s.replace('"', '\\"').replace("\n", "\\n")


def main(path: str) -> int:
    text = open(path, encoding="utf-8").read()
    entries = text.split("\n\n")
    missing: list[str] = []
    out: list[str] = []
    for entry in entries:
        m = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if not m or 'msgid ""\nmsgstr ""\n"Project' in entry or entry.startswith("# SOME"):
            out.append(entry.replace("#, fuzzy\n", "", 1) if "Project-Id" in entry else entry)
            continue
        msgid = unescape("".join(re.findall(r'"(.*)"', m.group(1))))
        if msgid not in ZH:
            missing.append(msgid)
            out.append(entry)
            continue
        zh = escape(ZH[msgid])
        entry = entry.replace("#, fuzzy\n", "")
        if "msgid_plural" in entry:
            entry = re.sub(r'msgstr\[0\] (?:".*"\n?)+', f'msgstr[0] "{zh}"\n', entry).rstrip("\n")
        else:
            entry = re.sub(r'msgstr (?:".*"\n?)+', f'msgstr "{zh}"', entry)
        out.append(entry)
    result = "\n\n".join(out)
    result = result.replace(
        "Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;", "Plural-Forms: nplurals=1; plural=0;"
    )
    open(path, "w", encoding="utf-8").write(result)
    for msgid in missing:
        print(f"untranslated: {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
