"""Dependencies point one way: tui -> widgets -> store. The core stays headless.

Imports are read with ``ast`` (every ``import``, at module level or inside a
function) and resolved to full module names, relative ones included, so
``from ..tui import x`` inside ``sitmon.widgets`` counts as importing ``sitmon.tui``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: repository folder -> the package it installs as (pyproject.toml's package-dir)
PACKAGES = {"store": "sitmon.store", "widgets": "sitmon.widgets", "tui": "sitmon.tui"}
#: "about 500 lines" (the issue's bound), with a little slack before a module must say why
MAX_LINES = 550


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT)
    parts = [PACKAGES[rel.parts[0]], *rel.parts[1:]]
    parts[-1] = parts[-1].removesuffix(".py")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, *, top_level_only: bool = False) -> set[str]:
    """Full names of the modules ``path`` imports (``from a.b import c``: ``a.b`` and ``a.b.c``)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            out.add(mod)
            out |= {f"{mod}.{a.name}" for a in node.names}
    return out


def touches(imports: set[str], *prefixes: str) -> set[str]:
    return {m for m in imports for p in prefixes if m == p or m.startswith(p + ".")}


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_the_resolver_sees_relative_imports_across_packages(tmp_path):
    # a planted violation: widgets/panes/x.py doing `from ...tui import app`
    path = ROOT / "widgets" / "panes" / "planted.py"
    try:
        path.write_text("from ...tui import app\nfrom ..lines import StyledLine\n")
        found = imports_of(path)
        assert "sitmon.tui" in found and "sitmon.widgets.lines" in found
    finally:
        path.unlink()


def test_store_imports_neither_textual_rich_nor_upper_layers():
    for path in modules("store"):
        bad = touches(imports_of(path), "textual", "rich", "sitmon.widgets", "sitmon.tui")
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_httpx_only_lazily_inside_the_fetch_path():
    for path in modules("store"):
        if touches(imports_of(path, top_level_only=True), "httpx"):
            raise AssertionError(f"{path.relative_to(ROOT)} imports httpx at module level")


def test_widgets_never_import_tui():
    for path in modules("widgets"):
        bad = touches(imports_of(path), "sitmon.tui")
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_renderers_and_export_writers_are_pure():
    """Renderers and every export writer import neither Textual nor Rich."""
    pure = [
        p
        for p in modules("widgets")
        if p.stem.endswith(("_render", "render_util")) or p.stem in ("geo", "lines")
    ]
    pure += modules("widgets/export")
    assert len(pure) >= 15
    for path in pure:
        bad = touches(imports_of(path), "textual", "rich")
        assert not bad, f"{path.relative_to(ROOT)} (a renderer or export writer) imports {bad}"


def test_headless_commands_never_import_textual():
    """``sitmon info``/``export``/``refresh``/``import``/``validate``/``config``: no Textual."""
    for path in modules("tui/cli"):
        imports = imports_of(path)
        bad = touches(imports, "textual", "rich", "sitmon.tui.app", "sitmon.tui.main_screen")
        if path.name == "__init__.py":  # `sitmon run` opens the app, inside cmd_run only
            bad -= touches(
                imports_of(path) - imports_of(path, top_level_only=True), "sitmon.tui.app"
            )
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_no_module_over_500_lines_unless_its_docstring_says_why():
    for folder in PACKAGES:
        for path in modules(folder):
            text = path.read_text()
            n = text.count("\n")
            if n <= MAX_LINES:
                continue
            doc = ast.get_docstring(ast.parse(text)) or ""
            assert "Over 500 lines on purpose:" in doc, (
                f"{path.relative_to(ROOT)} has {n} lines: split it, or say why in its docstring"
            )
