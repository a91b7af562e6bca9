"""Login cost benchmark (issue 9 §13): CPU and wall time of one login, PBKDF2 against Argon2.

    python bench/login.py [--json] [--runs N] [--logins N]
    guanwei bench login [same options]

* Database: a throw-away SQLite file in a temporary GUANWEI_VAR_DIR, migrated; one person per
  hasher, whose password is hashed with that hasher (so no hash is upgraded during the run).
* Hashers, same run and process: Django's PBKDF2PasswordHasher (the baseline, today's default)
  and Argon2PasswordHasher (argon2-cffi, Django's defaults), and whatever ``PASSWORD_HASHERS``
  of the settings puts first (``settings``).
* Measured per hasher: ``check_password`` alone (the hash), and a whole login: ``POST /login/``
  through ``django.test.Client`` (middleware, the lockout check, session, audit record), each
  followed by a logout. CPU = ``time.process_time`` (all threads of the process: Argon2's lanes
  are threads), wall = ``time.perf_counter``. ``--runs`` runs of ``--logins`` logins each, the
  hashers interleaved run by run; the figure is the median of the runs' medians, with the min.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HASHERS = {
    "pbkdf2": "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "argon2": "django.contrib.auth.hashers.Argon2PasswordHasher",
}
PASSWORD = "correct horse battery staple"


def _setup() -> None:
    var = tempfile.mkdtemp(prefix="guanwei-bench-login-")
    os.environ["GUANWEI_VAR_DIR"] = var
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanwei.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _measure(fn: Any, count: int) -> tuple[list[float], list[float]]:
    cpu, wall = [], []
    for _ in range(count):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return cpu, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--logins", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    _setup()
    import django
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password, get_hasher, make_password
    from django.test import Client
    from django.test.utils import override_settings

    hashers = dict(HASHERS)
    hashers["settings"] = settings.PASSWORD_HASHERS[0]
    user_model = get_user_model()
    encoded: dict[str, str] = {}
    for name, path in hashers.items():
        with override_settings(PASSWORD_HASHERS=[path]):
            encoded[name] = make_password(PASSWORD)
        user_model.objects.create(username=f"bench_{name}", password=encoded[name])

    per: dict[str, dict[str, list[float]]] = {
        n: {"hash_cpu": [], "hash_wall": [], "login_cpu": [], "login_wall": []} for n in hashers
    }
    for _run in range(args.runs):
        for name, path in hashers.items():
            # the person's own hasher first, the others after it: nothing is upgraded
            order = [path] + [p for p in HASHERS.values() if p != path]
            with override_settings(PASSWORD_HASHERS=order):
                get_hasher()  # load the library outside the timing
                cpu, wall = _measure(lambda n=name: check_password(PASSWORD, encoded[n]), 3)
                per[name]["hash_cpu"].append(statistics.median(cpu))
                per[name]["hash_wall"].append(statistics.median(wall))
                client = Client(REMOTE_ADDR="127.0.0.9")

                def login(n: str = name, c: Client = client) -> None:
                    r = c.post("/login/", {"username": f"bench_{n}", "password": PASSWORD})
                    if r.status_code != 302:
                        raise SystemExit(f"login as bench_{n} failed: HTTP {r.status_code}")
                    c.post("/logout/")

                cpu, wall = _measure(login, args.logins)
                per[name]["login_cpu"].append(statistics.median(cpu))
                per[name]["login_wall"].append(statistics.median(wall))

    result: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "django": django.get_version(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "runs": args.runs,
        "logins_per_run": args.logins,
        "settings_first_hasher": hashers["settings"],
        "hashers": {},
    }
    for name in hashers:
        algorithm = encoded[name].split("$", 1)[0]
        row = {"algorithm": algorithm, "hash_prefix": encoded[name][:40]}
        for key, values in per[name].items():
            row[f"{key}_ms_median"] = round(statistics.median(values) * 1000, 1)
            row[f"{key}_ms_min"] = round(min(values) * 1000, 1)
        result["hashers"][name] = row
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(
            f"{args.runs} runs × {args.logins} logins; load average "
            f"{result['machine']['load_average']}"
        )
        print(
            f"{'hasher':10} {'algorithm':16} {'hash CPU ms':>12} {'login CPU ms':>13} "
            f"{'login wall ms':>14} {'(min CPU)':>10}"
        )
        for name, row in result["hashers"].items():
            print(
                f"{name:10} {row['algorithm']:16} {row['hash_cpu_ms_median']:12.1f} "
                f"{row['login_cpu_ms_median']:13.1f} {row['login_wall_ms_median']:14.1f} "
                f"{row['login_cpu_ms_min']:10.1f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
