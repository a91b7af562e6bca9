"""``guanwei fakeplatforms`` / ``python -m guanwei.publishing.fakes``: run the fake Weibo
and WeChat servers in the foreground until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from types import FrameType

from guanwei.publishing.fakes import start_fakes, wechat, weibo


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="guanwei fakeplatforms", description="Local fake Weibo and WeChat servers."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--weibo-port", type=int, default=8101)
    parser.add_argument("--wechat-port", type=int, default=8102)
    parser.add_argument(
        "--publish-delay", type=float, default=2.0, help="seconds a WeChat publish job takes"
    )
    parser.add_argument("--rate-limit", type=int, default=30, help="posts per account per hour")
    parser.add_argument(
        "--accounts",
        default=os.environ.get("GUANWEI_FAKE_ACCOUNTS", ""),
        help="JSON file of the demo accounts to serve (guanwei writes var/fake-accounts.json)",
    )
    args = parser.parse_args(argv[1:] if argv[:1] == ["--"] else argv)
    try:
        fakes = start_fakes(
            args.host,
            args.weibo_port,
            args.wechat_port,
            publish_delay_s=args.publish_delay,
            rate_limit_per_hour=args.rate_limit,
            accounts_file=args.accounts or None,
        )
    except OSError as e:
        print(f"cannot listen on {args.host}: {e}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    print(
        f"fake Weibo   {fakes.weibo_url}   access_token={weibo.DEMO_TOKEN} uid={weibo.DEMO_UID}"
        f" app={weibo.APP_KEY}/{weibo.APP_SECRET} safe_domain={weibo.SAFE_DOMAIN}\n"
        f"fake WeChat  {fakes.wechat_url}   appid={wechat.APPID} secret={wechat.APPSECRET}"
        f" (publish takes {args.publish_delay:g} s)\n"
        f"demo accounts: {len(fakes.weibo.safe_domains)} on Weibo, "
        f"{len(fakes.wechat.accounts) - 1} on WeChat (from {args.accounts or 'no file'})\n"
        "faults: POST /__control__ {...}; counters: GET /__stats__; Ctrl-C stops",
        flush=True,
    )
    try:
        while not stop.wait(0.5):
            pass
    finally:
        fakes.stop()
        print("fake platforms stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
