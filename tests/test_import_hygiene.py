"""The core stays free of the TUI and of I/O; headless commands never load Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import wallboard

PKG = Path(wallboard.__file__).parent


def _imports_in_fresh_interpreter(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


@pytest.mark.parametrize(
    "module", ["wallboard.protocol", "wallboard.model", "wallboard.feed.replay"]
)
def test_core_imports_neither_textual_nor_websockets(module: str) -> None:
    mods = _imports_in_fresh_interpreter(f"import {module}")
    assert not {m for m in mods if m.split(".")[0] in ("textual", "websockets")}


@pytest.mark.parametrize("layer", ["protocol", "model"])
def test_core_source_has_no_such_imports(layer: str) -> None:
    for path in (PKG / layer).rglob("*.py"):
        text = path.read_text()
        for banned in ("import textual", "from textual", "import websockets", "from websockets"):
            assert banned not in text, f"{path} has {banned!r}"


def test_snapshot_replay_does_not_import_textual(tmp_path: Path) -> None:
    rec = tmp_path / "r.jsonl"
    rec.write_text('{"event_type": "trunk_connected", "trunk_name": "t1", "time": 1700000000}\n')
    code = (
        "import sys, io\n"
        "from wallboard.cli import main\n"
        "sys.stdout = io.TextIOWrapper(io.BytesIO())\n"
        f"main(['snapshot', '--replay', {str(rec)!r}])\n"
        "sys.stdout = sys.__stdout__\n"
    )
    mods = _imports_in_fresh_interpreter(code)
    assert "wallboard.model" in mods
    assert not {m for m in mods if m.split(".")[0] == "textual"}


# Which packages each layer may import (DESIGN.md: protocol → model → store →
# feed → hub / ui / serve, cli on top; the simulator speaks the protocol only).
ALLOWED: dict[str, set[str]] = {
    "protocol": {"protocol"},
    "model": {"protocol", "model"},
    "config": {"errors", "model"},
    "store": {"errors", "protocol", "model", "config", "store"},
    "feed": {"errors", "protocol", "model", "config", "store", "feed"},
    "hub": {"errors", "protocol", "model", "config", "store", "feed", "hub"},
    "ui": {"errors", "protocol", "model", "config", "store", "feed", "ui"},
    "sim": {"errors", "protocol", "sim"},
    # The browser server: secrets from feed, the hub's token file and verifier from hub
    # (hub.tokens only: test_serve_units checks that no hub runner or simulator is in it).
    "serve": {"errors", "feed", "hub", "serve"},
}


def _wallboard_imports(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "wallboard" and len(parts) > 1:
                out.add(parts[1])
    return out


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_point_one_way(layer: str) -> None:
    paths = [PKG / f"{layer}.py"] if (PKG / f"{layer}.py").exists() else []
    paths += list((PKG / layer).rglob("*.py")) if (PKG / layer).is_dir() else []
    if not paths:
        pytest.skip(f"no {layer} layer yet")
    for path in paths:
        bad = _wallboard_imports(path) - ALLOWED[layer]
        assert not bad, f"{path.relative_to(PKG)} imports wallboard.{sorted(bad)}"


def test_textual_internals_only_in_one_module() -> None:
    for path in PKG.rglob("*.py"):
        if path.name == "textual_private.py":
            continue
        text = path.read_text()
        for banned in ("from textual._", "import textual._", "textual.widgets._", "textual.app._"):
            assert banned not in text, f"{path.relative_to(PKG)} uses a Textual internal"


def _textual_private_names() -> set[str]:
    """Private attributes of the Textual classes the wallboard builds on."""
    from textual.app import App
    from textual.dom import DOMNode
    from textual.driver import Driver
    from textual.message_pump import MessagePump
    from textual.screen import Screen
    from textual.scroll_view import ScrollView
    from textual.widget import Widget
    from textual.widgets import DataTable, Digits, Input, Label, RichLog, Static

    names: set[str] = set()
    for cls in (App, DOMNode, Driver, MessagePump, Screen, ScrollView, Widget, DataTable):
        names |= {n for n in dir(cls) if n.startswith("_") and not n.startswith("__")}
    for cls in (Digits, Input, Label, RichLog, Static):
        names |= {n for n in dir(cls) if n.startswith("_") and not n.startswith("__")}
    return names


def _defined_here() -> set[str]:
    """Private names the wallboard defines itself (its own methods, attributes, overrides)."""
    import ast

    out: set[str] = set()
    for path in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                for item in node.body:  # methods and class attributes of our classes
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        out.add(item.name)
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        out.add(item.target.id)
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
            ):
                out.add(node.attr)  # self._x = … in our own classes
    return out


def test_textual_private_methods_only_in_one_module() -> None:
    """`._scroll_update(…)`, `Screen._compositor_refresh`, getattr(x, "_name"): only
    in textual_private.py, where an upgrade looks first."""
    import ast

    banned = _textual_private_names() - _defined_here()
    assert "_scroll_update" in banned and "_compositor_refresh" in banned
    bad = []
    for path in PKG.rglob("*.py"):
        if path.name == "textual_private.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            name = None
            if isinstance(node, ast.Attribute) and node.attr in banned:
                name = node.attr
            elif isinstance(node, ast.Constant) and node.value in banned:
                name = node.value  # getattr(widget, "_name")
            if name is not None:
                bad.append(f"{path.relative_to(PKG)}:{node.lineno} {name}")
    assert not bad, bad


def _imports_argparse(path: Path) -> bool:
    """Parsed, not searched: a docstring may say "argparse" to explain its absence."""
    import ast

    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "argparse" for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "argparse":
            return True
    return False


def test_nothing_below_cli_imports_argparse() -> None:
    """Command lines are `cli`'s: the layers below take typed options, and the bench's
    child processes read theirs as JSON (`bench/child.py`)."""
    bad = [
        str(path.relative_to(PKG))
        for path in sorted(PKG.rglob("*.py"))
        if path.relative_to(PKG).parts[0] != "cli" and _imports_argparse(path)
    ]
    assert not bad, f"argparse below cli: {bad}"
