"""The architecture's import rules (STYLE.md): stages never import siblings; the library never imports Airflow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[2] / "plugins" / "newsdesk"
STAGES = ("sources", "fetch", "extract", "analyze", "store")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules() -> list[Path]:
    return sorted(p for p in LIB.rglob("*.py") if "bundled" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(LIB)))
def test_library_never_imports_airflow(path: Path) -> None:
    bad = {m for m in _imports(path) if m == "airflow" or m.startswith(("airflow.", "newsdesk_airflow"))}
    if path.name == "cli.py":  # the CLI edge starts Airflow for `demo` and `up`, lazily
        bad = {m for m in bad if not m.startswith("newsdesk_airflow")}
    assert not bad, f"{path.relative_to(LIB)} imports {bad}"


@pytest.mark.parametrize("stage", STAGES)
def test_stage_imports_no_sibling_stage(stage: str) -> None:
    for path in (LIB / stage).rglob("*.py"):
        if "bundled" in path.parts:
            continue
        siblings = {f"newsdesk.{s}" for s in STAGES if s != stage}
        bad = {m for m in _imports(path) if any(m == s or m.startswith(s + ".") for s in siblings)}
        bad |= {m for m in _imports(path) if m.startswith("newsdesk.pipeline")}
        assert not bad, f"{path.relative_to(LIB)} imports {bad}"


def test_stage_packages_exist() -> None:
    for stage in STAGES:
        assert (LIB / stage / "__init__.py").is_file()


def test_airflow_tasks_call_the_pipeline_not_the_stages() -> None:
    """A task is one call into ``pipeline`` (which owns the unit of work and its commit); the
    adapter itself only keeps the run's own record (``store.runs``, over ``store.db``)."""
    tasks = LIB.parent / "newsdesk_airflow" / "tasks.py"
    stages = {m for m in _imports(tasks) if any(m == f"newsdesk.{s}" or m.startswith(f"newsdesk.{s}.") for s in STAGES)}
    # the Fetcher is a resource the task opens and hands in, as it does the connection
    assert stages <= {"newsdesk.store.runs", "newsdesk.store.db", "newsdesk.fetch"}, stages
