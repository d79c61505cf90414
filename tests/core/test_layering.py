"""The package's layers, checked on the source: `core` offers mechanisms and knows no domain, and
reports read hours while hours never reach into reports (closing a period signals instead)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "volunteers"
DOMAINS = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists() and p.name != "core")
# Tenancy is the one rule about the centre that every domain shares; STYLE.md puts it in core.
ALLOWED = {"core/tenancy.py": {"centres"}}


def imported_packages(module: Path) -> set[str]:
    """The top-level packages of `volunteers` that a module imports, relatively or absolutely."""
    depth = len(module.relative_to(PACKAGE).parts) - 1  # how many dots lead back to `volunteers`
    found = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and (node.module or "").startswith("volunteers."):
                found.add(node.module.split(".")[1])
            elif node.level > depth and node.module:
                found.add(node.module.split(".")[0])
            elif node.level > depth:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("volunteers."))
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("core", set(DOMAINS)), ("hours", {"reports"})],
)
def test_a_package_does_not_import_what_it_must_not_know(package, forbidden):
    offenders = {
        name: sorted(imported_packages(module) & forbidden - ALLOWED.get(name, set()))
        for module in (PACKAGE / package).rglob("*.py")
        for name in [str(module.relative_to(PACKAGE))]
    }
    assert {name: found for name, found in offenders.items() if found} == {}
