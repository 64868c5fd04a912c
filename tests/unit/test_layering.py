"""Dependencies point one way: tui -> widgets -> store. The core stays headless."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imports_of(path: Path, *, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def modules(pkg: str) -> list[Path]:
    return sorted((ROOT / pkg).rglob("*.py"))


def test_store_imports_neither_textual_rich_nor_upper_layers():
    for path in modules("store"):
        bad = imports_of(path) & {"textual", "rich", "widgets", "tui"}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_httpx_only_lazily_inside_the_fetch_path():
    for path in modules("store"):
        if "httpx" in imports_of(path, top_level_only=True):
            raise AssertionError(f"{path.relative_to(ROOT)} imports httpx at module level")


def test_widgets_never_import_tui():
    for path in modules("widgets"):
        assert "tui" not in imports_of(path), f"{path.relative_to(ROOT)} imports tui"


def test_renderers_are_pure():
    """Every widgets module whose name says it renders imports neither Textual nor Rich."""
    pure = [
        p
        for p in modules("widgets")
        if p.stem.endswith(("_render", "render_util")) or p.stem in ("geo", "lines")
    ]
    assert len(pure) >= 4
    for path in pure:
        bad = imports_of(path) & {"textual", "rich"}
        assert not bad, f"{path.relative_to(ROOT)} (a renderer) imports {bad}"
