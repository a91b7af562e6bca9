"""The rooms' layering, read from the sources (ast, no import): a room calls down, never up.

docs/architecture.md draws the rooms and which calls which; each rule below is one arrow
that must not exist. Imports under ``if TYPE_CHECKING:`` are annotations only and do not
count. Tests are not checked (a test may set up any room). Pure Python: runs with
``-p no:django``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "guanwei"


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's fixture, which needs Django settings."""


@dataclass(frozen=True)
class Import:
    path: str  # relative to the repository, e.g. guanwei/orgs/permissions.py
    line: int
    module: str  # the imported module, e.g. guanwei.packs.catalog
    top_level: bool  # runs when the module is imported (not inside a function)

    def __str__(self) -> str:
        where = "module level" if self.top_level else "inside a function"
        return f"{self.path}:{self.line} imports {self.module} ({where})"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _package_of(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    else:
        parts.pop()  # the module itself: relative imports start from its package
    return ".".join(parts)


def _imports_of(path: Path, root: Path = ROOT) -> Iterator[Import]:
    rel = path.relative_to(root).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)

    def visit(nodes: list[ast.stmt], top_level: bool) -> Iterator[Import]:
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(rel, node.lineno, alias.name, top_level)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    package = _package_of(path, root).split(".")
                    package = package[: len(package) - (node.level - 1)]
                    base = ".".join([*package, *([base] if base else [])])
                yield Import(rel, node.lineno, base, top_level)
                for alias in node.names:  # "from guanwei import packs" names a room too
                    yield Import(rel, node.lineno, f"{base}.{alias.name}", top_level)
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                yield from visit(node.orelse, top_level)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from visit(node.body, False)
            elif isinstance(node, ast.ClassDef):
                yield from visit(node.body, top_level)
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    children = getattr(node, field, None)
                    if isinstance(children, list):
                        stmts = [c for c in children if isinstance(c, ast.stmt)]
                        for handler in children:
                            if isinstance(handler, ast.ExceptHandler):
                                stmts += handler.body
                        yield from visit(stmts, top_level)
                if isinstance(node, ast.Match):
                    for case in node.cases:
                        yield from visit(case.body, top_level)

    yield from visit(tree.body, True)


def imports_under(folder: str) -> list[Import]:
    """Every runtime import of the non-test sources under ``guanwei/<folder>``."""
    found: list[Import] = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts or path.name.startswith("test_"):
            continue
        found += _imports_of(path)
    return found


def _hits(imports: list[Import], *prefixes: str, top_level_only: bool = False) -> list[str]:
    return sorted(
        {
            str(i)
            for i in imports
            if any(i.module == p or i.module.startswith(p + ".") for p in prefixes)
            and (i.top_level or not top_level_only)
        }
    )


def _own(folder: str) -> str:
    return "guanwei." + folder.replace("/", ".")


def _outside(imports: list[Import], folder: str) -> list[str]:
    """Imports of guanwei modules that are not under ``guanwei/<folder>``."""
    own = _own(folder)
    return sorted(
        {
            str(i)
            for i in imports
            if (i.module == "guanwei" or i.module.startswith("guanwei."))
            and not (i.module == own or i.module.startswith(own + "."))
            # "from guanwei.core import errors" also yields guanwei.core.errors: fine
        }
    )


# --------------------------------------------------------------------------- the checker


def test_the_checker_sees_lazy_relative_and_type_checking_imports(tmp_path: Path) -> None:
    """The rules below can fail: the scanner finds every kind of import it must count."""
    probe = tmp_path / "guanwei" / "orgs" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "from ..packs import catalog\n"
        "import guanwei.web.helpers\n"
        "if TYPE_CHECKING:\n"
        "    from guanwei.workflow.models import Run\n"
        "try:\n"
        "    from guanwei.web import views\n"
        "except ImportError:\n"
        "    pass\n"
        "def later():\n"
        "    from guanwei.workflow import actions\n",
        encoding="utf-8",
    )
    found = {(i.module, i.top_level) for i in _imports_of(probe, root=tmp_path)}
    assert ("guanwei.packs.catalog", True) in found
    assert ("guanwei.web.helpers", True) in found
    assert ("guanwei.web.views", True) in found
    assert ("guanwei.workflow.actions", False) in found
    assert not any(module.startswith("guanwei.workflow.models") for module, _ in found)
    assert _hits([Import("x.py", 1, "guanwei.packs.catalog", True)], "guanwei.packs")
    assert not _hits([Import("x.py", 1, "guanwei.packsack", True)], "guanwei.packs")


# --------------------------------------------------------------------------- the rules


def test_core_is_the_bottom_and_imports_no_room() -> None:
    """guanwei/core (errors, catalogue, admin mixin) imports nothing else of guanwei and no
    Django at run time, so every room can use it."""
    imports = imports_under("core")
    assert imports, "guanwei/core has no sources?"
    assert _outside(imports, "core") == []
    assert _hits(imports, "django") == []


def test_orgs_imports_neither_packs_nor_web() -> None:
    """orgs sits below packs (the loader calls orgs' actions) and below every page: its
    permission check reads the catalogue from core, not from packs."""
    assert _hits(imports_under("orgs"), "guanwei.packs", "guanwei.web") == []


def test_packs_validators_are_pure() -> None:
    """The pack schema and validators run without a database or Django settings (a pack is
    checked before it is loaded)."""
    packs = PACKAGE / "packs"
    paths = [packs / "schema.py", packs / "checker.py", *sorted(packs.glob("validate*.py"))]
    assert all(path.is_file() for path in paths)
    imports = [i for path in paths for i in _imports_of(path)]
    assert _hits(imports, "django") == []
    allowed = ("guanwei.core", "guanwei.packs")
    assert [
        str(i)
        for i in imports
        if i.module.startswith("guanwei.") and not i.module.startswith(allowed)
    ] == []


def test_documents_render_plain_data_and_import_no_room() -> None:
    """guanwei/documents (the paper forms) takes plain data: no Django, no other room; the
    views of channels and workflow gather the data and call it."""
    imports = imports_under("documents")
    assert imports, "guanwei/documents has no sources?"
    assert _outside(imports, "documents") == []
    assert _hits(imports, "django") == []


def test_the_screening_engine_imports_no_django() -> None:
    """screening/engine is pure Python (DESIGN.md): it runs from the command line and in
    benchmarks without settings."""
    imports = imports_under("screening/engine")
    assert _hits(imports, "django") == []
    assert _outside(imports, "screening/engine") == []


def test_the_fake_platforms_import_none_of_the_apps() -> None:
    """publishing/fakes are stand-ins for Weibo and WeChat: they know nothing of guanwei's
    apps (DESIGN.md), so a test against them is a test against a platform."""
    imports = imports_under("publishing/fakes")
    assert _hits(imports, "django") == []
    assert _outside(imports, "publishing/fakes") == []


def test_content_does_not_import_workflow_at_module_level() -> None:
    """content sits below workflow: importing content never imports workflow (the circle
    content ↔ workflow is broken at module level)."""
    assert _hits(imports_under("content"), "guanwei.workflow", top_level_only=True) == []


def test_the_adapters_import_nothing_else_of_publishing() -> None:
    """The adapters take plain data (PublishRequest …) and speak HTTP through their own
    wrapper (adapters/http.py): nothing under publishing/adapters imports another part of
    guanwei — not the dispatcher, the models, the credentials, nor (counted here too)
    under ``if TYPE_CHECKING:`` — so the interaction desk (#9) can reuse them as they are."""
    imports = imports_under("publishing/adapters")
    assert imports, "guanwei/publishing/adapters has no sources?"
    assert _outside(imports, "publishing/adapters") == []
    assert _hits(imports, "django") == []
    annotations = []
    for path in sorted((PACKAGE / "publishing" / "adapters").rglob("*.py")):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and not node.level:
                module = node.module or ""
                if module.startswith("guanwei.") and not module.startswith(
                    "guanwei.publishing.adapters"
                ):
                    annotations.append(f"{path.relative_to(ROOT)}:{node.lineno} {module}")
    assert annotations == []


def test_importing_the_adapters_loads_no_other_room_or_module() -> None:
    """Importing every adapter loads guanwei.publishing.adapters.* only (and the two
    package markers above it)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import guanwei.publishing.adapters as a\n"
        "for name in a.PLATFORMS: a.adapter_class(name)\n"
        "a.get_adapter('outbox', {'outbox_dir': '/nonexistent'})\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('guanwei'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    loaded = set(done.stdout.split())
    allowed = {"guanwei", "guanwei.publishing"}
    assert {m for m in loaded if not m.startswith("guanwei.publishing.adapters")} == allowed


def test_content_imports_no_room_above_it() -> None:
    """content's rules (actions, models, hooks) never import workflow or publishing: those
    react to an edit or a submission through content.hooks (issue #8 §7)."""
    imports = [
        i
        for name in ("actions", "models", "hooks", "hashing", "queries")
        if (PACKAGE / "content" / f"{name}.py").exists()
        for i in _imports_of(PACKAGE / "content" / f"{name}.py")
    ]
    assert _hits(imports, "guanwei.workflow", "guanwei.publishing", "guanwei.oversight") == []


def test_publishing_imports_no_oversight() -> None:
    """publishing sits below oversight: oversight reacts to publications and to the
    scheduler pass through publishing.events."""
    assert _hits(imports_under("publishing"), "guanwei.oversight") == []


WRITES = {"create", "update", "delete", "bulk_create", "save", "get_or_create", "update_or_create"}


def test_the_pack_loader_writes_no_table_itself() -> None:
    """packs/actions.py puts a pack in force through the owning rooms' actions: no
    ``.objects.create/update/delete`` or ``.save()`` of its own (issue #8 §1)."""
    tree = ast.parse((PACKAGE / "packs" / "actions.py").read_text())
    writes = sorted(
        f"line {node.lineno}: {node.func.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr
        in {
            "create",
            "update",
            "delete",
            "bulk_create",
            "save",
            "get_or_create",
            "update_or_create",
        }
    )
    assert writes == []
