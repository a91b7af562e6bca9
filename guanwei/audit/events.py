"""Audit event types: a stable, numbered catalogue (REQ X-02).

Numbers are stored in the database and hashed into the chain: never renumber,
only append. Blocks of 100 per room.
"""

from __future__ import annotations

from enum import IntEnum, unique


@unique
class AuditAction(IntEnum):
    # 100: organisations, units, people, roles (orgs)
    ORGANISATION_CREATED = 101
    ORGANISATION_CHANGED = 102
    UNIT_CREATED = 110
    UNIT_MOVED = 111
    UNIT_CHANGED = 112
    PERSON_CREATED = 120
    PERSON_CHANGED = 121
    ROLE_GRANTED = 130
    ROLE_REVOKED = 131
    # 140: sensitive grants awaiting a second person (issue #9 §9, 三员分立)
    ROLE_GRANT_REQUESTED = 140
    ROLE_GRANT_CONFIRMED = 141
    ROLE_GRANT_REFUSED = 142
    # two factors and API tokens (issue #9 §11, §14)
    MFA_ENROLLED = 150
    MFA_VERIFIED = 151
    MFA_FAILED = 152
    MFA_RECOVERY_USED = 153
    MFA_RECOVERY_CODES_REGENERATED = 154
    MFA_REMOVED = 155
    API_TOKEN_CREATED = 160
    API_TOKEN_REVOKED = 161
    API_TOKEN_USED = 162

    # 200: official accounts (channels)
    CHANNEL_CREATED = 201
    CHANNEL_CHANGED = 202
    REQUIRED_FOLLOW_ADDED = 210
    REQUIRED_FOLLOW_REMOVED = 211
    REQUIRED_FOLLOW_CHECKED = 212
    # 220-229: the account lifecycle through the 审批表 (C-02, C-03, W-04, decision 0033);
    # the application itself is REVIEW_STARTED / APPROVED / REJECTED, its print FORM_PRINTED
    CHANNEL_APPLIED = 220
    CHANNEL_OPENED = 221
    CHANNEL_PEOPLE_CHANGED = 222
    APPLICATION_ARCHIVED = 223
    UNREGISTERED_REPORTED = 230
    UNREGISTERED_DECIDED = 231
    CHANNEL_CLOSURE_APPLIED = 232
    CHANNEL_CLOSED = 233
    CHANNEL_PROFILE_APPLIED = 234
    CHANNEL_PROFILE_CHANGED = 235

    # 300: policy packs
    PACK_LOADED = 301

    # 400: screening
    LEXICON_TERM_ADDED = 401
    LEXICON_TERM_REMOVED = 402
    LEXICON_IMPORTED = 403
    LEXICON_ALLOW_ADDED = 404
    LEXICON_ALLOW_REMOVED = 405
    CONTENT_SCREENED = 410

    # 500: content
    MATERIAL_SUBMITTED = 501
    MATERIAL_TAKEN = 502
    MATERIAL_DECLINED = 503
    MATERIAL_APPROVED_BY_PROVIDER = 504
    MATERIAL_RETURNED = 505
    POST_CREATED = 510
    POST_REVISED = 511
    POST_STATUS_CHANGED = 512
    MATERIAL_AWAITING_LEADER = 506
    MATERIAL_RESUBMITTED = 507
    ASSET_UPLOADED = 520
    ASSET_TEXT_READ = 521  # issue #9 §15: the OCR task's result (C-06)
    LIBRARY_TEXT_SAVED = 530  # E-02: a text saved to the content library
    WEEK_PLAN_CREATED = 535

    # 600: workflow
    REVIEW_STARTED = 601
    STEP_APPROVED = 602
    STEP_REJECTED = 603
    REVIEW_APPROVED = 604
    REVIEW_REJECTED = 605
    REVIEW_CANCELLED = 606
    POST_FILED = 610
    DELEGATION_GRANTED = 620
    DELEGATION_REVOKED = 621
    WEEK_PLAN_APPROVED = 630

    # 700: publishing
    PUBLISH_SCHEDULED = 701
    PUBLISH_CANCELLED = 702
    PUBLISH_SENDING = 703
    PUBLISHED = 704
    PUBLISH_FAILED = 705
    PUBLISH_UNKNOWN = 706
    PUBLISH_RECONCILED = 707
    POST_EXPIRED = 708
    CHANNEL_SETTINGS_CHANGED = 710
    PUBLISH_CLAIMED = 711
    PUBLISH_RELEASED = 712
    PUBLISH_RETRY = 713
    PUBLISH_REMOTE_PENDING = 714
    PUBLISH_MOVED = 715
    PUBLISH_RETRACTING = 716  # W-11: the original is to be deleted on the platform
    PUBLISH_RETRACTED = 717
    PUBLISH_RETRACT_REFUSED = 718
    CALENDAR_DAY_SET = 720
    CALENDAR_YEAR_COMPLETED = 721

    # 800: interaction (850-879: activities, harm reports, feedback); 900: vault (reserved)
    ACTIVITY_PLANNED = 850
    ACTIVITY_CHANGED = 851
    ACTIVITY_SUBMITTED = 852
    ACTIVITY_STEP_APPROVED = 853
    ACTIVITY_STEP_REJECTED = 854
    ACTIVITY_STARTED = 855
    ACTIVITY_FINISHED = 856
    ACTIVITY_CANCELLED = 857
    COMMENTS_FETCHED = 840  # one record per stored batch (interaction.fetch)
    COMMENT_FETCH_PAUSED = 841  # a platform failed: the account's fetching backs off
    COMMENT_HIDDEN = 830  # moderation (W-18)
    COMMENT_UNHIDDEN = 831
    COMMENT_DELETED = 832
    COMMENT_DELETE_REFUSED = 833
    COMMENT_ESCALATED = 834
    COMMENT_LABELLED = 835
    COMMENT_REVIEWED = 836
    MODERATION_RULE_CREATED = 837  # the rules page (W-18)
    MODERATION_RULE_CHANGED = 838
    MODERATION_RULE_MOVED = 839
    COMMENT_ASSIGNED = 845  # the inbox (互动台)
    COMMENT_NOTED = 846
    COMMENT_DONE = 847
    COMMENT_REOPENED = 848
    COMMENT_PLATFORM_QUEUED = 849  # a rule's hide/delete, carried out after the batch commits
    HARM_REPORTED = 860
    HARM_REPORT_ACCEPTED = 861
    HARM_REPORT_DISMISSED = 862
    HARM_REPORT_CLOSED = 863
    FEEDBACK_CAPTURED = 870
    FEEDBACK_CHANGED = 871
    WATCH_TOPIC_ADDED = 880  # the watchlist (舆情关注, E-06)
    WATCH_TOPIC_REMOVED = 881
    QUESTION_ROUTED = 890  # experts and replies (W-19, W-20; interaction.replies)
    REPLY_DRAFTED = 891
    REPLY_SUBMITTED = 892
    REPLY_APPROVED = 893
    REPLY_REJECTED = 894
    REPLY_SENDING = 895
    REPLY_SENT = 896
    REPLY_FAILED = 897
    REPLY_UNKNOWN = 898
    REPLY_CHECKED = 899
    REPRESENTATIVE_MARKED = 882  # 精选问答 (E-05)
    REPRESENTATIVE_UNMARKED = 883
    REPRESENTATIVE_POST_DRAFTED = 884

    # 900: the vault (decision 0031): names and key ids only, never a value
    SECRET_STORED = 901
    SECRET_DELETED = 902
    SECRETS_CHECKED = 903
    SECRET_ROTATION_DUE = 910
    SECRET_ROTATED = 911
    VAULT_KEY_ROTATED = 920

    # 1000: oversight
    DEADLINE_CREATED = 1001
    DEADLINE_MET = 1002
    DEADLINE_BREACHED = 1003
    DEADLINE_ESCALATED = 1004
    DEADLINE_REOPENED = 1005
    CORRECTION_ISSUED = 1010
    SYNDICATION_DONE = 1020

    # 1100: notices (notify)
    NOTICES_READ = 1101

    # 1200: logins and sessions (issue 9 §10, §12; the shell's login, orgs' people)
    LOGIN_SUCCEEDED = 1201
    LOGIN_FAILED = 1202
    LOGIN_LOCKED = 1203
    LOGIN_REFUSED_LOCKED = 1204
    LOGGED_OUT = 1205
    SESSION_EXPIRED = 1206
    PASSWORD_CHANGED = 1210

    # 1300: reads and exports that matter (issue #9 §19): one record per read
    FORM_PRINTED = 1301
    DATA_EXPORTED = 1302
    CALENDAR_FEED_READ = 1303
    AUDIT_LOG_READ = 1304

    @property
    def label(self) -> str:
        return AUDIT_LABELS.get(self, self.name)


AUDIT_LABELS: dict[AuditAction, str] = {
    AuditAction.SECRET_STORED: "保存凭据（加密）",
    AuditAction.SECRET_DELETED: "删除凭据",
    AuditAction.SECRETS_CHECKED: "核验保险库",
    AuditAction.SECRET_ROTATION_DUE: "要求修改账号密码",
    AuditAction.SECRET_ROTATED: "账号密码已修改",
    AuditAction.VAULT_KEY_ROTATED: "更换保险库主密钥",
    AuditAction.ACTIVITY_PLANNED: "策划互动活动",
    AuditAction.ACTIVITY_CHANGED: "修改互动活动",
    AuditAction.ACTIVITY_SUBMITTED: "提交活动审批",
    AuditAction.ACTIVITY_STEP_APPROVED: "批准互动活动",
    AuditAction.ACTIVITY_STEP_REJECTED: "退回互动活动",
    AuditAction.ACTIVITY_STARTED: "开始互动活动",
    AuditAction.ACTIVITY_FINISHED: "结束互动活动",
    AuditAction.ACTIVITY_CANCELLED: "取消互动活动",
    AuditAction.COMMENTS_FETCHED: "抓取评论留言",
    AuditAction.COMMENT_FETCH_PAUSED: "暂停抓取评论留言",
    AuditAction.COMMENT_HIDDEN: "隐藏评论留言",
    AuditAction.COMMENT_UNHIDDEN: "取消隐藏评论留言",
    AuditAction.COMMENT_DELETED: "在平台删除评论",
    AuditAction.COMMENT_DELETE_REFUSED: "平台拒绝删除评论",
    AuditAction.COMMENT_ESCALATED: "评论上报领导",
    AuditAction.COMMENT_LABELLED: "评论加标签",
    AuditAction.COMMENT_REVIEWED: "评论标记已审阅",
    AuditAction.MODERATION_RULE_CREATED: "新建评论处理规则",
    AuditAction.MODERATION_RULE_CHANGED: "修改评论处理规则",
    AuditAction.MODERATION_RULE_MOVED: "调整评论处理规则顺序",
    AuditAction.COMMENT_ASSIGNED: "分派评论留言",
    AuditAction.COMMENT_NOTED: "备注评论留言",
    AuditAction.COMMENT_DONE: "评论留言处理完毕",
    AuditAction.COMMENT_REOPENED: "重新打开评论留言",
    AuditAction.COMMENT_PLATFORM_QUEUED: "规则待在平台执行（隐藏、删除）",
    AuditAction.HARM_REPORTED: "报告有害信息",
    AuditAction.HARM_REPORT_ACCEPTED: "受理有害信息报告",
    AuditAction.HARM_REPORT_DISMISSED: "不予处置有害信息报告",
    AuditAction.HARM_REPORT_CLOSED: "办结有害信息报告",
    AuditAction.FEEDBACK_CAPTURED: "记录意见反馈",
    AuditAction.FEEDBACK_CHANGED: "修改意见反馈",
    AuditAction.ORGANISATION_CREATED: "新建单位",
    AuditAction.ORGANISATION_CHANGED: "修改单位",
    AuditAction.UNIT_CREATED: "新建部门",
    AuditAction.UNIT_MOVED: "调整部门隶属",
    AuditAction.UNIT_CHANGED: "修改部门",
    AuditAction.PERSON_CREATED: "新建人员",
    AuditAction.PERSON_CHANGED: "修改人员",
    AuditAction.ROLE_GRANTED: "授予角色",
    AuditAction.ROLE_REVOKED: "撤销角色",
    AuditAction.ROLE_GRANT_REQUESTED: "提请授予敏感角色",
    AuditAction.ROLE_GRANT_CONFIRMED: "确认授予敏感角色",
    AuditAction.ROLE_GRANT_REFUSED: "拒绝授予敏感角色",
    AuditAction.MFA_ENROLLED: "启用两步验证",
    AuditAction.MFA_VERIFIED: "两步验证通过",
    AuditAction.MFA_FAILED: "两步验证码错误",
    AuditAction.MFA_RECOVERY_USED: "使用备用验证码",
    AuditAction.MFA_RECOVERY_CODES_REGENERATED: "重新生成备用验证码",
    AuditAction.MFA_REMOVED: "停用两步验证",
    AuditAction.API_TOKEN_CREATED: "创建 API 令牌",
    AuditAction.API_TOKEN_REVOKED: "撤销 API 令牌",
    AuditAction.API_TOKEN_USED: "使用 API 令牌",
    AuditAction.CHANNEL_CREATED: "登记官方账号",
    AuditAction.CHANNEL_CHANGED: "修改官方账号",
    AuditAction.CHANNEL_APPLIED: "申请开通官方账号",
    AuditAction.CHANNEL_OPENED: "按审批表开通官方账号",
    AuditAction.CHANNEL_PEOPLE_CHANGED: "按审批表变更管理员、责任人",
    AuditAction.APPLICATION_ARCHIVED: "审批表存档",
    AuditAction.UNREGISTERED_REPORTED: "举报未备案账号",
    AuditAction.UNREGISTERED_DECIDED: "处理未备案账号举报",
    AuditAction.CHANNEL_CLOSURE_APPLIED: "申请注销官方账号",
    AuditAction.CHANNEL_CLOSED: "注销官方账号",
    AuditAction.CHANNEL_PROFILE_APPLIED: "申请修改账号资料",
    AuditAction.CHANNEL_PROFILE_CHANGED: "修改账号资料",
    AuditAction.REQUIRED_FOLLOW_ADDED: "新增必须关注",
    AuditAction.REQUIRED_FOLLOW_REMOVED: "删除必须关注",
    AuditAction.REQUIRED_FOLLOW_CHECKED: "核对关注关系",
    AuditAction.PACK_LOADED: "加载制度包",
    AuditAction.LEXICON_TERM_ADDED: "新增敏感词",
    AuditAction.LEXICON_TERM_REMOVED: "删除敏感词",
    AuditAction.LEXICON_IMPORTED: "导入敏感词",
    AuditAction.LEXICON_ALLOW_ADDED: "新增放行词组",
    AuditAction.LEXICON_ALLOW_REMOVED: "删除放行词组",
    AuditAction.CONTENT_SCREENED: "内容筛查",
    AuditAction.MATERIAL_SUBMITTED: "报送素材",
    AuditAction.MATERIAL_TAKEN: "受理素材",
    AuditAction.MATERIAL_DECLINED: "不予采用",
    AuditAction.MATERIAL_APPROVED_BY_PROVIDER: "分管领导审定素材",
    AuditAction.MATERIAL_RETURNED: "退回素材",
    AuditAction.POST_CREATED: "新建稿件",
    AuditAction.POST_REVISED: "修改稿件",
    AuditAction.ASSET_UPLOADED: "上传素材文件",
    AuditAction.ASSET_TEXT_READ: "识别图片文字",
    AuditAction.LIBRARY_TEXT_SAVED: "保存内容库文字",
    AuditAction.REVIEW_STARTED: "提交审核",
    AuditAction.STEP_APPROVED: "审核同意",
    AuditAction.WEEK_PLAN_CREATED: "提交周计划",
    AuditAction.WEEK_PLAN_APPROVED: "周计划审核同意",
    AuditAction.STEP_REJECTED: "审核不同意",
    AuditAction.REVIEW_APPROVED: "审核通过",
    AuditAction.REVIEW_REJECTED: "审核退回",
    AuditAction.REVIEW_CANCELLED: "撤销审核",
    AuditAction.POST_FILED: "备案",
    AuditAction.DELEGATION_GRANTED: "授权代审",
    AuditAction.DELEGATION_REVOKED: "撤销代审",
    AuditAction.PUBLISH_SCHEDULED: "安排发布",
    AuditAction.PUBLISH_CANCELLED: "取消发布",
    AuditAction.PUBLISH_SENDING: "开始发送",
    AuditAction.PUBLISHED: "已发布",
    AuditAction.PUBLISH_FAILED: "发布失败",
    AuditAction.PUBLISH_UNKNOWN: "发布结果待核实",
    AuditAction.PUBLISH_RECONCILED: "核实发布结果",
    AuditAction.POST_EXPIRED: "稿件过期",
    AuditAction.CHANNEL_SETTINGS_CHANGED: "修改账号接入设置",
    AuditAction.POST_STATUS_CHANGED: "稿件状态变更",
    AuditAction.MATERIAL_AWAITING_LEADER: "素材待分管领导审定",
    AuditAction.MATERIAL_RESUBMITTED: "修改后重新报送素材",
    AuditAction.PUBLISH_CLAIMED: "领取发布任务",
    AuditAction.PUBLISH_RELEASED: "发布任务退回待发",
    AuditAction.PUBLISH_RETRY: "等待重新发送",
    AuditAction.PUBLISH_REMOTE_PENDING: "平台处理中",
    AuditAction.PUBLISH_MOVED: "调整发布时间",
    AuditAction.PUBLISH_RETRACTING: "撤回原稿",
    AuditAction.PUBLISH_RETRACTED: "已删除原稿",
    AuditAction.PUBLISH_RETRACT_REFUSED: "删除原稿失败",
    AuditAction.CALENDAR_DAY_SET: "调整本单位节假日",
    AuditAction.CALENDAR_YEAR_COMPLETED: "确认本单位节假日已录入完整",
    AuditAction.DEADLINE_CREATED: "新建时限",
    AuditAction.DEADLINE_MET: "按时完成",
    AuditAction.DEADLINE_BREACHED: "超时",
    AuditAction.DEADLINE_ESCALATED: "超时升级提醒",
    AuditAction.DEADLINE_REOPENED: "时限重新打开",
    AuditAction.CORRECTION_ISSUED: "气象台发布订正",
    AuditAction.SYNDICATION_DONE: "完成转发",
    AuditAction.NOTICES_READ: "阅读通知",
    AuditAction.LOGIN_SUCCEEDED: "登录",
    AuditAction.LOGIN_FAILED: "登录失败",
    AuditAction.LOGIN_LOCKED: "登录锁定",
    AuditAction.LOGIN_REFUSED_LOCKED: "锁定期间拒绝登录",
    AuditAction.LOGGED_OUT: "退出登录",
    AuditAction.SESSION_EXPIRED: "会话超时退出",
    AuditAction.PASSWORD_CHANGED: "修改密码",
    AuditAction.FORM_PRINTED: "打印表单",
    AuditAction.DATA_EXPORTED: "导出数据",
    AuditAction.CALENDAR_FEED_READ: "下载发布日历",
    AuditAction.AUDIT_LOG_READ: "查看审计日志",
    AuditAction.WATCH_TOPIC_ADDED: "添加关注话题",
    AuditAction.WATCH_TOPIC_REMOVED: "移除关注话题",
    AuditAction.QUESTION_ROUTED: "提问分派答复人",
    AuditAction.REPLY_DRAFTED: "起草回复",
    AuditAction.REPLY_SUBMITTED: "回复提交审定",
    AuditAction.REPLY_APPROVED: "批准回复",
    AuditAction.REPLY_REJECTED: "退回回复",
    AuditAction.REPLY_SENDING: "回复发送中",
    AuditAction.REPLY_SENT: "回复已发出",
    AuditAction.REPLY_FAILED: "回复发送失败",
    AuditAction.REPLY_UNKNOWN: "回复发送结果不明",
    AuditAction.REPLY_CHECKED: "核实回复发送结果",
    AuditAction.REPRESENTATIVE_MARKED: "选为精选问答",
    AuditAction.REPRESENTATIVE_UNMARKED: "取消精选问答",
    AuditAction.REPRESENTATIVE_POST_DRAFTED: "精选问答生成稿件",
}
