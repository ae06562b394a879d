"""`wallboard serve` pieces that need no browser: kiosk URLs, the child command, tokens, options."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wallboard.cli import build_parser
from wallboard.errors import UsageError
from wallboard.feed.secrets import Secret
from wallboard.serve.child import DemoTarget, HubTarget, child_command
from wallboard.serve.command import config_from_args, parse_listen
from wallboard.serve.kiosk import DEFAULT_FONT_SIZE, PAGES, Kiosk, parse_kiosk
from wallboard.serve.server import is_loopback
from wallboard.serve.tokens import TokenFile, TokenInfo, token_digest

# ------------------------------------------------------------------- kiosk URLs


def test_kiosk_url_maps_to_app_flags() -> None:
    k = parse_kiosk({"page": "2", "wall": "1", "theme": "Nord", "fontsize": "24", "bell": "yes"})
    assert (k.page, k.wall, k.theme, k.fontsize, k.bell) == ("queues", True, "nord", 24, True)
    assert k.app_flags() == ["--page", "queues", "--wall", "--theme", "nord", "--bell"]
    assert not k.problems


def test_kiosk_defaults_and_bell_default() -> None:
    k = parse_kiosk({})
    assert k == Kiosk()
    assert k.fontsize == DEFAULT_FONT_SIZE
    assert k.app_flags() == []
    assert k.app_flags(bell_default=True) == ["--bell"]
    assert parse_kiosk({"bell": "0"}).app_flags(bell_default=True) == []


@pytest.mark.parametrize(
    "query",
    [
        {"page": "9"},
        {"page": "lobby"},
        {"wall": "maybe"},
        {"theme": "x; rm -rf /"},
        {"theme": "--help"},
        {"fontsize": "1000"},
        {"fontsize": "big"},
        {"bell": "loud"},
    ],
)
def test_bad_kiosk_values_are_dropped_with_a_reason(query: dict[str, str]) -> None:
    k = parse_kiosk(query)
    assert len(k.problems) == 1
    flags = k.app_flags()
    assert all(
        not f.startswith("--") or f in ("--page", "--wall", "--theme", "--bell") for f in flags
    )
    assert flags == []
    assert k.fontsize == DEFAULT_FONT_SIZE


def test_kiosk_pages_are_the_tuis_pages() -> None:
    from wallboard.ui.app import PAGES as UI_PAGES

    assert [p for p, _ in UI_PAGES] == list(PAGES)


# ---------------------------------------------------------------- child command


def test_hub_tab_is_a_viewer_with_the_token_only_in_its_environment() -> None:
    parent = {"PATH": "/usr/bin", "WALLBOARD_PASSWORD": "pbx-secret", "MY_HUB_TOKEN": "own"}
    spec = child_command(
        HubTarget("http://hub.local:8890", Secret("own")),
        parse_kiosk({"wall": "1", "theme": "nord", "page": "agents"}),
        browser_token=Secret("browser-token-123"),
        scope=TokenInfo("lobby", ("8002",)),
        width=120,
        height=40,
        secret_vars=frozenset({"MY_HUB_TOKEN"}),
        parent_env=parent,
    )
    assert spec.argv == [
        sys.executable,
        "-m",
        "wallboard",
        "view",
        "http://hub.local:8890",
        "--token-env",
        "WALLBOARD_TOKEN",
        "--page",
        "agents",
        "--wall",
        "--theme",
        "nord",
    ]
    assert spec.env["WALLBOARD_TOKEN"] == "browser-token-123"
    assert "browser-token-123" not in " ".join(spec.argv)
    assert "WALLBOARD_PASSWORD" not in spec.env and "MY_HUB_TOKEN" not in spec.env
    assert spec.env["TEXTUAL_DRIVER"] == "wallboard.serve.driver:TabDriver"
    assert (spec.env["COLUMNS"], spec.env["ROWS"]) == ("120", "40")
    assert spec.env["WALLBOARD_SERVE_PID"] == str(os.getpid())
    assert "browser-token-123" not in repr(spec)


def test_hub_tab_without_browser_token_uses_serves_own() -> None:
    spec = child_command(
        HubTarget("http://127.0.0.1:8890", Secret("serve-own")),
        Kiosk(),
        browser_token=None,
        scope=None,
        width=80,
        height=24,
        parent_env={"WALLBOARD_TOKEN": "inherited-must-not-pass"},
    )
    assert spec.env["WALLBOARD_TOKEN"] == "serve-own"
    spec = child_command(
        HubTarget("http://127.0.0.1:8890", None),
        Kiosk(),
        browser_token=None,
        scope=None,
        width=80,
        height=24,
        parent_env={"WALLBOARD_TOKEN": "inherited-must-not-pass"},
    )
    assert "WALLBOARD_TOKEN" not in spec.env


def test_demo_tab_is_the_stand_in_scoped_like_the_hub() -> None:
    spec = child_command(
        DemoTarget(),
        parse_kiosk({"bell": "1"}),
        browser_token=Secret("t"),
        scope=TokenInfo("floor2", ("8002", "8003")),
        width=80,
        height=24,
        parent_env={},
    )
    assert spec.argv[1:3] == ["-m", "wallboard.serve.standin"]
    assert spec.argv[-3:] == ["--bell", "--queues", "8002,8003"]
    assert "WALLBOARD_TOKEN" not in spec.env  # the stand-in has no hub to show it to


def test_stand_in_accepts_every_flag_the_kiosk_produces() -> None:
    from wallboard.serve.standin import build_parser as standin_parser

    flags = parse_kiosk({"page": "5", "wall": "1", "theme": "nord", "bell": "1"}).app_flags()
    args = standin_parser().parse_args([*flags, "--queues", "8001"])
    assert (args.page, args.wall, args.theme, args.bell, args.queues) == (
        "system",
        True,
        "nord",
        True,
        "8001",
    )


# ----------------------------------------------------------------------- tokens


def _toml(entries: list[tuple[str, str, list[str] | None]]) -> str:
    out = []
    for name, token, queues in entries:
        out.append(f'[[token]]\nname = "{name}"\nsha256 = "{token_digest(token)}"')
        if queues is not None:
            out.append("queues = [" + ", ".join(f'"{q}"' for q in queues) + "]")
    return "\n".join(out) + "\n"


def test_toml_token_file(tmp_path: Path) -> None:
    f = tmp_path / "tokens.toml"
    f.write_text(_toml([("lobby", "aaa", None), ("floor2", "bbb", ["8002"])]))
    tokens = TokenFile(f)
    assert tokens.verify("aaa") == TokenInfo("lobby", None)
    assert tokens.verify(Secret("bbb")) == TokenInfo("floor2", ("8002",))
    assert tokens.verify("aab") is None
    assert tokens.verify("") is None
    assert tokens.verify(None) is None


def test_serve_reads_the_hubs_token_file(tmp_path: Path) -> None:
    """The hub's format (wallboard.hub.tokens): uppercase digests and numeric queues read too."""
    f = tmp_path / "tokens.toml"
    f.write_text(
        f'[[token]]\nname = "tv1"\nsha256 = "{token_digest("one")}"\n\n'
        f'[[token]]\nname = "tv2"\nsha256 = "{token_digest("two").upper()}"\n'
        'created = 1760000000.0\nqueues = [8001, "8004"]\n'
    )
    tokens = TokenFile(f)
    assert tokens.verify("one") == TokenInfo("tv1")
    assert tokens.verify("two") == TokenInfo("tv2", ("8001", "8004"))


def test_token_file_changes_apply_and_a_broken_write_keeps_the_last_good(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "tokens.toml"
    f.write_text(_toml([("a", "first", None)]))
    tokens = TokenFile(f)
    assert tokens.verify("first")
    time.sleep(0.01)
    f.write_text(_toml([("b", "second", None)]))  # revoke a, add b
    assert tokens.verify("first") is None
    assert tokens.verify("second") == TokenInfo("b")
    f.write_text('[[token]]\nname = "b"\nsha256 = "nope')  # half-written
    assert tokens.verify("second") == TokenInfo("b")
    assert tokens.verify("second") == TokenInfo("b")
    err = capsys.readouterr().err
    assert err.count("keeping the tokens read before") == 1
    assert "second" not in err


@pytest.mark.parametrize(
    "text",
    [
        "not toml at all = = =",
        '[[token]]\nsha256 = "' + "0" * 64 + '"\n',
        '[[token]]\nname = "x"\nsha256 = "short"\n',
        '{"name": "x", "sha256": "' + "0" * 64 + '"}\n{oops\n',
        '[[token]]\nname = "x"\nsha256 = "' + "0" * 64 + '"\nqueues = "8001"\n',
    ],
)
def test_bad_token_file_is_a_usage_error(tmp_path: Path, text: str) -> None:
    f = tmp_path / "tokens"
    f.write_text(text)
    with pytest.raises(UsageError) as exc:
        TokenFile(f)
    assert "\n" not in str(exc.value)


def test_missing_token_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read token file"):
        TokenFile(tmp_path / "nope.toml")


# ---------------------------------------------------------------------- options


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["serve", *argv])


def test_listen_addresses() -> None:
    assert parse_listen("127.0.0.1:0") == ("127.0.0.1", 0)
    assert parse_listen("[::1]:8000") == ("::1", 8000)
    assert parse_listen(":8000") == ("127.0.0.1", 8000)
    for bad in ("8000", "host:", "host:99999", "host:x"):
        with pytest.raises(UsageError):
            parse_listen(bad)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.7") and not is_loopback("tv")


def test_non_loopback_needs_a_token_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="need a token"):
        config_from_args(_args("--demo", "--listen", "0.0.0.0:8000"))
    f = tmp_path / "tokens.toml"
    f.write_text(_toml([("a", "x", None)]))
    cfg = config_from_args(_args("--demo", "--listen", "0.0.0.0:8000", "--tokens", str(f)))
    assert cfg.auth_required and cfg.host == "0.0.0.0"
    assert not config_from_args(_args("--demo")).auth_required


def test_own_hub_token_from_env_is_never_inherited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVE_HUB_TOKEN", "hub-secret")
    cfg = config_from_args(
        _args("--hub", "http://127.0.0.1:8890", "--token-env", "SERVE_HUB_TOKEN")
    )
    assert isinstance(cfg.target, HubTarget) and cfg.target.token is not None
    assert cfg.target.token.reveal() == "hub-secret"
    assert "SERVE_HUB_TOKEN" in cfg.secret_vars
    monkeypatch.delenv("SERVE_HUB_TOKEN")
    with pytest.raises(UsageError, match="SERVE_HUB_TOKEN"):
        config_from_args(_args("--hub", "http://h:1", "--token-env", "SERVE_HUB_TOKEN"))


def test_serve_needs_hub_or_demo() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve"])


def test_serve_usage_errors_exit_2_with_one_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "wallboard", "serve", "--demo", "--listen", "0.0.0.0:0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "--tokens FILE" in out.stderr


def test_serve_server_does_not_import_textual() -> None:
    """The server process stays small: only each tab's app loads Textual."""
    code = (
        "import sys, wallboard.serve.server, wallboard.serve.command\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert not {m for m in out.split() if m.split(".")[0] == "textual"}


def test_own_hub_token_from_a_file(tmp_path: Path) -> None:
    f = tmp_path / "serve.token"
    f.write_text("file-token-9\n")
    cfg = config_from_args(_args("--hub", "http://127.0.0.1:8890", "--token-file", str(f)))
    assert isinstance(cfg.target, HubTarget) and cfg.target.token is not None
    assert cfg.target.token.reveal() == "file-token-9"
    with pytest.raises(UsageError, match="cannot read token file"):
        config_from_args(_args("--hub", "http://h:1", "--token-file", str(tmp_path / "nope")))
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(UsageError, match="first line is empty"):
        config_from_args(_args("--hub", "http://h:1", "--token-file", str(tmp_path / "empty")))
