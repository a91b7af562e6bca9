"""``guanwei screen``: screen text from standard input with a pack's configuration (C-06).

    guanwei screen (--pack NAME | --org KEY) [--json | --jsonl] [--lexicon FILE ...] [--kind …]
                   [--channel weibo|wechat|website] [--has-picture] [--source TEXT] [--title TEXT]

Without ``--jsonl`` all of standard input is one text (one trailing line break is dropped; offsets
index what remains).  With ``--jsonl`` each input line is one text and each output line one JSON
object, in the same order.  Exit status: 0 when screening ran (also for block verdicts), 2 for a
usage error (unknown option, unknown pack, unreadable lexicon, invalid ``[screening]`` table).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from .config import ConfigError, EngineConfig, config_for_pack, default_config, known_packs
from .engine import Engine, Result, build_engine
from .lexicon import LexiconError, load_file

DEFAULT_PACKS_DIR = Path(__file__).resolve().parents[3] / "packs"
VERDICT_LABELS = {"block": "拦截 block", "review": "人工审核 review", "pass": "通过 pass"}


class UsageError(Exception):
    """Bad command line; the message is shown after ``guanwei screen:``."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _parser() -> _Parser:
    parser = _Parser(
        prog="guanwei screen",
        description="Screen text on standard input (lexicons, allow-lists, rules, relevance).",
    )
    parser.add_argument("--pack", help="policy pack name, or 'default'")
    parser.add_argument(
        "--org",
        metavar="KEY",
        help="an organisation of the database: its pack, its own terms and allow-phrases "
        "(what the screening page uses)",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON object")
    output.add_argument("--jsonl", action="store_true", help="one text per line in and out")
    parser.add_argument(
        "--lexicon",
        action="append",
        default=[],
        metavar="FILE",
        help="add a one-term-per-line file as category custom, severity block (repeatable)",
    )
    parser.add_argument("--kind", choices=("post", "comment"), default="post")
    parser.add_argument("--channel", metavar="KIND", help="channel kind: weibo, wechat, website")
    parser.add_argument("--has-picture", action="store_true", help="the post has a picture")
    parser.add_argument("--source", default="", help="the post's source (T-05)")
    parser.add_argument("--title", default="", help="the post's title (WeChat)")
    parser.add_argument("--packs-dir", metavar="DIR", help="folder of pack TOML files")
    return parser


def _packs_dir(option: str | None) -> Path:
    if option:
        return Path(option)
    env = os.environ.get("GUANWEI_PACKS_DIR")
    return Path(env) if env else DEFAULT_PACKS_DIR


def load_config(pack: str, packs_dir: Path, lexicons: list[str]) -> EngineConfig:
    """The pack's configuration plus ``--lexicon`` files (category custom, severity block)."""
    if pack == "default" and not (packs_dir / "default.toml").is_file():
        config = default_config()
    else:
        try:
            config = config_for_pack(pack, packs_dir)
        except ConfigError as exc:
            if "not found" in str(exc):
                names = ", ".join(known_packs(packs_dir)) if packs_dir.is_dir() else "none"
                raise ConfigError(f"{exc}; known packs: {names}") from exc
            raise
    extra = []
    for name in lexicons:
        path = Path(name)
        if not path.is_file():
            raise LexiconError(f"lexicon file {name} not found")
        extra.extend(load_file(path, category="custom", severity="block"))
    return config.with_terms(extra)


def _text_report(result: Result) -> str:
    lines = [f"verdict: {VERDICT_LABELS[result.verdict]}"]
    for hit in result.hits:
        lines.append(
            f"  hit [{hit.start}:{hit.end}] {hit.matched!r} -> {hit.term} "
            f"({hit.category}, {hit.severity})"
        )
    for hit in result.masked:
        lines.append(f"  masked [{hit.start}:{hit.end}] {hit.term} inside {hit.allow!r}")
    for finding in result.rules:
        lines.append(
            f"  rule {finding.rule} ({finding.req}, {finding.severity}): {finding.message}"
        )
    lines.append(f"lexicon version: {result.lexicon_version}")
    return "\n".join(lines)


def _dump(result: Result) -> str:
    return json.dumps(result.to_json(), ensure_ascii=False)


def screen_main(
    argv: list[str],
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    org_engine: Callable[[str], Engine] | None = None,
) -> int:
    """Run ``guanwei screen`` with ``argv`` (the arguments after ``screen``).  ``org_engine``
    builds the engine of an organisation (``--org KEY``; the Django side passes it)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        stderr.write(f"{parser.format_usage()}guanwei screen: error: {exc}\n")
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    if bool(args.pack) == bool(args.org):
        stderr.write(f"{parser.format_usage()}guanwei screen: error: give --pack or --org\n")
        return 2
    try:
        if args.org:
            if org_engine is None or args.lexicon:
                raise ConfigError(
                    "--org needs the database (run as `guanwei screen`), no --lexicon"
                )
            engine: Engine = org_engine(args.org)
        else:
            engine = build_engine(load_config(args.pack, _packs_dir(args.packs_dir), args.lexicon))
    except (ConfigError, LexiconError) as exc:
        stderr.write(f"guanwei screen: error: {exc}\n")
        return 2
    options = {
        "kind": args.kind,
        "channel_kind": args.channel,
        "has_picture": args.has_picture,
        "source": args.source,
        "title": args.title,
    }
    try:
        if args.jsonl:
            for line in stdin:
                text = line[:-1] if line.endswith("\n") else line
                text = text[:-1] if text.endswith("\r") else text
                stdout.write(_dump(engine.screen(text, **options)) + "\n")
            return 0
        text = stdin.read()
    except UnicodeDecodeError as exc:
        stderr.write(f"guanwei screen: error: standard input is not UTF-8 ({exc.reason})\n")
        return 2
    if text.endswith("\n"):
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    result = engine.screen(text, **options)
    stdout.write((_dump(result) if args.json else _text_report(result)) + "\n")
    return 0


def main() -> int:  # pragma: no cover - ``python -m guanwei.screening.engine.cli``
    return screen_main(sys.argv[1:])


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
