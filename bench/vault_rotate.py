"""Vault key rotation benchmark (decision 0031): ``rotate-key`` over 10,000 secrets.

    python bench/vault_rotate.py [--json] [--secrets N] [--runs R] [--database-url URL]
    guanwei bench vault_rotate [same options]

A fresh database (a temporary SQLite file by default; ``--database-url`` a PostgreSQL
database whose name contains "bench", dropped and created again), migrated; N secrets
sealed under one master key (5 names on each of N/5 accounts); then R rotations, each
``vault.actions.rotate_master_key`` to a fresh key — what ``guanwei vault rotate-key``
runs: every row locked, every data key unwrapped with the current key before any write,
re-wrapped, one bulk UPDATE and one audit record in one transaction. Prints the median
wall time of the runs (and each run's), and checks afterwards that every secret still
opens under the last key."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

NAMES = ("access_token", "refresh_token", "secret", "appsecret", "password")


def _setup(database_url: str | None) -> None:
    var = tempfile.mkdtemp(prefix="guanwei-bench-vault-")
    os.environ["GUANWEI_VAR_DIR"] = var
    os.environ.pop("GUANWEI_ENV", None)
    os.environ["GUANWEI_VAULT_KEY_FILE"] = ""
    if database_url:
        if "bench" not in database_url.rsplit("/", 1)[-1]:
            raise SystemExit("--database-url: the database's name must contain 'bench'")
        os.environ["DATABASE_URL"] = database_url
        _recreate_pg(database_url)
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanwei.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _recreate_pg(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _seed(count: int) -> Any:
    from django.conf import settings

    from guanwei.channels.models import Channel
    from guanwei.orgs.models import Organisation, Unit
    from guanwei.vault import crypto, sealing
    from guanwei.vault.keys import MasterKey
    from guanwei.vault.models import Secret

    raw = crypto.new_key()
    master = MasterKey(raw, crypto.key_id(raw), "bench")
    org = Organisation.objects.create(key="bench", name="基准", base_pack="weather-bureau")
    unit = Unit.objects.create(organisation=org, key="bench", name="基准", unit_type="office")
    channels = Channel.objects.bulk_create(
        Channel(
            organisation=org,
            unit=unit,
            key=f"acct-{i}",
            name=f"账号{i}",
            kind="weibo",
            platform="weibo",
        )
        for i in range((count + len(NAMES) - 1) // len(NAMES))
    )
    cipher = crypto.cipher_for(settings.GUANWEI_VAULT_CIPHER)
    rows = []
    for i in range(count):
        ch, name = channels[i // len(NAMES)], NAMES[i % len(NAMES)]
        ref = uuid.uuid4()
        fields = sealing.sealed_fields(
            master, ref=ref, channel_id=ch.pk, name=name, value=f"v-{i}", cipher=cipher
        )
        rows.append(Secret(ref=ref, channel=ch, name=name, **fields))
    Secret.objects.bulk_create(rows, batch_size=1000)
    return master


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secrets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    _setup(args.database_url)

    from guanwei.orgs.permissions import SYSTEM
    from guanwei.vault import crypto
    from guanwei.vault.actions import rotate_master_key
    from guanwei.vault.keys import MasterKey
    from guanwei.vault.queries import check_secrets

    current = _seed(args.secrets)
    times = []
    for _ in range(args.runs):
        raw = crypto.new_key()
        new = MasterKey(raw, crypto.key_id(raw), "bench")
        start = time.perf_counter()
        done = rotate_master_key(new, actor=SYSTEM, current=current)
        times.append(time.perf_counter() - start)
        assert done == args.secrets, done
        current = new
    checked, failures = check_secrets(current)
    assert checked == args.secrets and not failures, failures
    from django.db import connection

    result = {
        "benchmark": "vault_rotate",
        "database": connection.vendor,
        "secrets": args.secrets,
        "runs_s": [round(t, 3) for t in times],
        "median_s": round(statistics.median(times), 3),
        "secrets_per_s": round(args.secrets / statistics.median(times)),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"rotate-key over {args.secrets} secrets ({result['database']}): median "
            f"{result['median_s']} s of {args.runs} runs {result['runs_s']} "
            f"({result['secrets_per_s']} secrets/s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
