"""Helper for the fetch restart test (tests/test_fetch_restart.py), run in a subprocess
against the scenario's own database (``GUANWEI_VAR_DIR`` / ``DATABASE_URL``)::

    python -m tests.fetch_scenario publish --weibo-settings '{...}'

points city_weibo at the fake Weibo, then has the demo personas write, approve, schedule
and publish one post through the real actions and the dispatcher's ``deliver``, and prints
``{"intent": id, "remote_id": idstr}``. The database is set up as in
tests/dispatch_scenario.py (``load-pack`` there)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from tests.dispatch_scenario import CHANNEL, ORG, UNIT, _django


def cmd_publish(weibo_settings: dict[str, str]) -> int:
    _django()
    from guanwei.content import actions as content
    from guanwei.publishing import actions as publishing
    from guanwei.publishing import dispatch
    from guanwei.publishing.models import ChannelSettings, IntentStatus, PublishIntent
    from guanwei.testing.personas import channel, person, unit
    from guanwei.workflow import actions as wf
    from guanwei.workflow.models import StepRun

    weibo = channel(ORG, CHANNEL)
    ChannelSettings.objects.update_or_create(
        channel=weibo, defaults={"values": {**weibo_settings, "settle_seconds": "0"}}
    )
    post = content.create_post(
        unit(ORG, UNIT),
        actor=person("kj_editor"),
        title="早间预报",
        body="明天多云转晴，气温12到20摄氏度，偏北风3级，早晚注意添衣。",
        category="forecast",
        channels=[weibo],
        source="市气象台",
    )
    wf.submit_for_review(post, actor=person("kj_editor"))
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader")
    )
    publishing.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("scenario")
    for intent_id in claim.ids:
        dispatch.deliver(intent_id, claim.token)
    intent = PublishIntent.objects.get(post=post)
    assert intent.status == IntentStatus.PUBLISHED, (intent.status, intent.error_code)
    print(json.dumps({"intent": intent.pk, "remote_id": intent.remote_id}))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fetch_scenario")
    sub = parser.add_subparsers(dest="command", required=True)
    publish = sub.add_parser("publish")
    publish.add_argument("--weibo-settings", required=True, help="JSON object")
    args = parser.parse_args(argv)
    return cmd_publish(json.loads(args.weibo_settings))


if __name__ == "__main__":
    sys.exit(main())
