"""Print which room calls which, read from the sources: the table of docs/architecture.md.

    python scripts/rooms.py            # Markdown table, one row per room
    python scripts/rooms.py --edges    # one line per arrow, with the first import behind it

A room is a package under guanwei/ (``guanwei/keyset.py`` and the other single modules
count as their own row). Tests and migrations are left out; imports under
``if TYPE_CHECKING:`` do not count. "at import" arrows run when the module is imported;
"inside functions" arrows are deferred imports, usually a sign of an upward call that a
hook or a move should remove. The scanner is the one ``tests/test_layering.py`` uses.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_layering import PACKAGE, Import, _imports_of  # noqa: E402

SKIP = {"__init__", "__main__", "settings", "wsgi", "urls", "testing"}


def _room_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "guanwei" or len(parts) < 2:
        return None
    return parts[1]


def arrows() -> dict[tuple[str, str], list[Import]]:
    found: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts or path.name.startswith("test_"):
            continue
        room = parts[0] if len(parts) > 1 else path.stem
        if room in SKIP:
            continue
        for imp in _imports_of(path):
            other = _room_of(imp.module)
            if other and other != room and other not in SKIP:
                found[(room, other)].append(imp)
    return found


def table() -> str:
    found = arrows()
    rooms = sorted({a for a, _ in found} | {b for _, b in found})
    lines = [
        "| room | calls at import | calls inside functions only | called by |",
        "|---|---|---|---|",
    ]
    for room in rooms:
        mine = {b: imps for (a, b), imps in found.items() if a == room}
        top = sorted(b for b, imps in mine.items() if any(i.top_level for i in imps))
        lazy = sorted(b for b, imps in mine.items() if not any(i.top_level for i in imps))
        callers = sorted(a for (a, b) in found if b == room)
        cell = lambda names: ", ".join(f"`{n}`" for n in names) or "—"  # noqa: E731
        lines.append(f"| `{room}` | {cell(top)} | {cell(lazy)} | {cell(callers)} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if "--edges" in argv:
        for (a, b), imps in sorted(arrows().items()):
            first = min(imps, key=lambda i: (not i.top_level, i.path, i.line))
            lines = len({(i.path, i.line) for i in imps})
            print(f"{a} -> {b}  ({lines} import statements; e.g. {first})")
    else:
        print(table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
