from django.urls import path

from guanwei.interaction import (
    activity_views,
    feedback_views,
    reply_views,
    report_views,
    rule_views,
    showcase_views,
    statistics_views,
    views,
    watch_views,
)

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("comments/<int:pk>/assign/", views.comment_assign, name="comment_assign"),
    path("comments/<int:pk>/note/", views.comment_note, name="comment_note"),
    path("comments/<int:pk>/done/", views.comment_done, name="comment_done"),
    path("comments/<int:pk>/moderate/", views.comment_moderate, name="comment_moderate"),
    path("comments/<int:pk>/reply/", reply_views.comment_reply, name="comment_reply"),  # W-20
    # moderation rules (W-18)
    path("rules/", rule_views.rule_list, name="rule_list"),
    path("rules/new/", rule_views.rule_new, name="rule_new"),
    path("rules/<int:pk>/", rule_views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/toggle/", rule_views.rule_toggle, name="rule_toggle"),
    path("rules/<int:pk>/move/", rule_views.rule_move, name="rule_move"),
    # activities (W-08, T-06)
    path("activities/", activity_views.activity_list, name="activity_list"),
    path("activities/new/", activity_views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", activity_views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/submit/", activity_views.activity_submit, name="activity_submit"),
    path(
        "activities/<int:pk>/readiness/",
        activity_views.activity_readiness,
        name="activity_readiness",
    ),
    path("activities/<int:pk>/start/", activity_views.activity_start, name="activity_start"),
    path("activities/<int:pk>/finish/", activity_views.activity_finish, name="activity_finish"),
    path("activities/<int:pk>/cancel/", activity_views.activity_cancel, name="activity_cancel"),
    path(
        "activities/steps/<int:pk>/decide/",
        activity_views.activity_step_decide,
        name="activity_step_decide",
    ),
    # reports of harmful content (C-10)
    path("reports/", report_views.report_list, name="report_list"),
    path("reports/<int:pk>/", report_views.report_detail, name="report_detail"),
    path(
        "reports/<int:pk>/screenshot/",
        report_views.report_screenshot,
        name="report_screenshot",
    ),
    path("reports/<int:pk>/accept/", report_views.report_accept, name="report_accept"),
    path("reports/<int:pk>/dismiss/", report_views.report_dismiss, name="report_dismiss"),
    path("reports/<int:pk>/close/", report_views.report_close, name="report_close"),
    # feedback (W-09, 第四条(四))
    path("feedback/", feedback_views.feedback_page, name="feedback_page"),
    path("feedback.csv", feedback_views.feedback_csv, name="feedback_csv"),
    path("feedback/<int:pk>/tag/", feedback_views.feedback_tag, name="feedback_tag"),
    path(
        "comments/<int:pk>/feedback/",
        feedback_views.feedback_capture,
        name="feedback_capture",
    ),
    # statistics (W-20, 第四条(四) 统计分析和效果评价)
    path("statistics/", statistics_views.statistics_page, name="interaction_statistics"),
    path("statistics.csv", statistics_views.statistics_csv, name="interaction_statistics_csv"),
    # representative Q&A (E-05) and the watchlist (E-06)
    path(
        "comments/<int:pk>/representative/",
        showcase_views.comment_representative,
        name="comment_representative",
    ),
    path("showcase/", showcase_views.showcase, name="showcase"),
    path("showcase/post/", showcase_views.showcase_post, name="showcase_post"),
    path("watch/", watch_views.watch, name="watch"),
    path("watch/topics/", watch_views.watch_topic_add, name="watch_topic_add"),
    path(
        "watch/topics/<int:pk>/remove/",
        watch_views.watch_topic_remove,
        name="watch_topic_remove",
    ),
]
