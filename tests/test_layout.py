"""The layout shows the architecture (docs/design.md, "Layout"): imports run one way, each
package is used through its `__init__`, modules stay small, and the read side's subpackages
import only those below them."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("events", "ledger", "projections", "relay", "cli")
"""The packages, lowest first: each may import only those before it. `relay` (the log published
to a broker) is another consumer of the log beside the read side: it needs only `ledger`, and
sits above `projections` so that the read side can never come to depend on a broker."""
READ_SIDE = ("fold", "read_models", "upkeep", "queries")
"""The read side's subpackages, lowest first: each may import only those before it."""
MAX_LINES = 300


def modules(package: str) -> Iterator[Path]:
    yield from sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> Iterator[tuple[str, int]]:
    """Each module a file imports, as an absolute dotted name, with the level it was given at."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    if path.name == "__init__.py":
        package = ".".join(path.relative_to(ROOT).parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield name, node.level


def test_every_module_has_at_most_300_lines() -> None:
    longer = {
        str(path.relative_to(ROOT)): lines
        for package in PACKAGES
        for path in modules(package)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert longer == {}


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_the_packages_below_it(package: str) -> None:
    above = PACKAGES[PACKAGES.index(package) + 1 :]
    wrong = [
        (str(path.relative_to(ROOT)), name)
        for path in modules(package)
        for name, _ in imported(path)
        if name.split(".")[0] in above
    ]
    assert wrong == []


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_uses_those_below_it_through_their_init_only(package: str) -> None:
    below = PACKAGES[: PACKAGES.index(package)]
    private = [
        (str(path.relative_to(ROOT)), name)
        for path in modules(package)
        for name, level in imported(path)
        if level == 0 and "." in name and name.split(".")[0] in below
    ]
    assert private == []


@pytest.mark.parametrize("subpackage", READ_SIDE)
def test_a_read_side_subpackage_imports_only_those_below_it(subpackage: str) -> None:
    above = {f"projections.{name}" for name in READ_SIDE[READ_SIDE.index(subpackage) + 1 :]}
    wrong = [
        (str(path.relative_to(ROOT)), name)
        for path in (ROOT / "projections" / subpackage).rglob("*.py")
        for name, _ in imported(path)
        if ".".join(name.split(".")[:2]) in above
    ]
    assert wrong == []


def test_no_source_file_cites_a_design_file_the_project_does_not_have() -> None:
    citing = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in modules(package)
        if "DESIGN.md" in path.read_text(encoding="utf-8")
    ]
    assert citing == []


def test_no_function_has_a_cyclomatic_complexity_over_15() -> None:
    from radon.complexity import cc_visit
    from radon.visitors import Class

    def blocks(code: str) -> Iterator[tuple[str, int]]:
        for block in cc_visit(code):
            inner = block.methods if isinstance(block, Class) else [block, *block.closures]
            yield from ((f"{block.name}.{one.name}", one.complexity) for one in inner)

    complex_ = [
        (str(path.relative_to(ROOT)), name, complexity)
        for package in PACKAGES
        for path in modules(package)
        for name, complexity in blocks(path.read_text(encoding="utf-8"))
        if complexity > 15
    ]
    assert complex_ == []
