"""Config file, password sources, URL display and the args → settings merge."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.live_helpers import PASSWORD, ScriptedPBX, serve_traffic
from tests.test_live_client import running, until
from wallboard.cli import build_parser
from wallboard.cli.main import connect_flags as cli_flags
from wallboard.config import Config, Thresholds, default_config_path, load_config, parse_config
from wallboard.errors import UsageError
from wallboard.feed.flags import ConnectFlags
from wallboard.feed.live import live_client, live_state, settings_from_flags
from wallboard.feed.recorder import Recorder
from wallboard.feed.secrets import Secret, display_url, resolve_password
from wallboard.model import WallboardState

README = Path(__file__).resolve().parent.parent / "README.md"


# ------------------------------------------------------------------------ config
def test_the_readme_example_config_is_valid() -> None:
    text = README.read_text()
    section = text[text.index("## Connecting to a PBX") :]
    block = re.search(r"```toml\n(.*?)```", section, re.S)
    assert block is not None
    import tomllib

    cfg = parse_config(tomllib.loads(block.group(1)))
    assert cfg.url == "wss://pbx.example.com:8885"
    assert cfg.user == "admin" and cfg.domain == "example.com"
    assert cfg.extensions == "101-140" and cfg.queues == "8001,8002"
    assert cfg.thresholds.sla_seconds == 20.0
    assert cfg.stale_after == 60.0


def test_the_readme_configuration_example_is_valid() -> None:
    """The Configuration section's example: targets, definitions, history, names."""
    import tomllib

    text = README.read_text()
    section = text[text.index("## Configuration") : text.index("## History (the day of record)")]
    block = re.search(r"```toml\n(.*?)```", section, re.S)
    assert block is not None
    cfg = parse_config(tomllib.loads(block.group(1)))
    assert cfg.timezone == "Europe/Berlin"
    assert cfg.queue_targets["8001"].sl_definition == "no_short_abandons"
    assert cfg.queue_targets["8003"].sla_seconds == 60.0
    assert cfg.queue_thresholds["8001"].service_level_crit == 75.0
    assert cfg.queue_thresholds["8003"].waiting_crit == 10
    assert cfg.names == {"101": "Alice Example", "102": "Bob Example"}
    # Every definition the README's table names is one the model knows, and no other.
    from wallboard.model.targets import SL_DEFINITIONS

    named = set(re.findall(r"^\| `([a-z_]+)`", section, re.M))
    assert named == set(SL_DEFINITIONS)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"password": "x"}, "password: a password does not belong"),
        ({"identity": {"password": "x"}}, "identity.password"),
        ({"identity": {"pasword_env": "X"}}, "identity.pasword_env: unknown key"),
        ({"urll": "ws://x"}, "urll: unknown key"),
        ({"dialect": "v13"}, "dialect: must be one of"),
        ({"tls": {"insecure": "yes"}}, "tls.insecure: expected true or false"),
        ({"identity": "admin"}, "identity: expected a table"),
        ({"thresholds": {"waiting_warn": -1}}, "thresholds.waiting_warn"),
        ({"thresholds": {"waiting_warn": 9, "waiting_crit": 3}}, "waiting_warn must not exceed"),
        ({"thresholds": {"service_level_warn": 50}}, "service_level_warn must not be below"),
        ({"identity": {"user": "a", "extension": "101"}}, "not both"),
        ({"connection": {"ping_interval": "20"}}, "connection.ping_interval"),
    ],
)
def test_bad_config_is_one_clear_usage_error(data: dict[str, Any], needle: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_config(data, Path("/etc/wb.toml"))
    text = str(info.value)
    assert text.startswith("bad config file /etc/wb.toml: ")
    assert needle in text
    assert "\n" not in text


def test_config_values_and_defaults(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text(
        'url = "ws://h:1"\n[identity]\nextension = 101\n'
        '[subscriptions]\nextensions = ["101-103", 120]\n[thresholds]\nwaiting_warn = 2\n'
    )
    cfg = load_config(p)
    assert cfg.path == p and cfg.extension == "101"
    assert cfg.extensions == "101-103,120"
    assert cfg.thresholds == Thresholds(waiting_warn=2)
    assert cfg.thresholds.waiting_level(1) == "ok"
    assert cfg.thresholds.waiting_level(2) == "warn"
    assert cfg.thresholds.waiting_level(6) == "crit"
    assert cfg.thresholds.service_level_level(None) == "ok"
    assert cfg.thresholds.service_level_level(70) == "warn"
    assert cfg.thresholds.service_level_level(10) == "crit"
    assert cfg.thresholds.longest_wait_level(61) == "crit"


def test_missing_default_config_is_empty_but_missing_explicit_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert load_config() == Config()
    with pytest.raises(UsageError, match="no such file"):
        load_config(tmp_path / "nope.toml")
    (tmp_path / "wallboard").mkdir()
    (tmp_path / "wallboard" / "config.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(UsageError, match="not UTF-8"):
        load_config()


def test_platform_config_locations(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sys

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "linux")
    assert default_config_path() == tmp_path / "wallboard" / "config.toml"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert default_config_path() == Path.home() / ".config" / "wallboard" / "config.toml"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert "Application Support" in str(default_config_path())
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path))
    assert default_config_path() == tmp_path / "wallboard" / "config.toml"


# ----------------------------------------------------------------------- secrets
def test_password_file_first_line_and_permission_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "pw"
    p.write_text(PASSWORD + "\r\nsecond line\n")
    p.chmod(0o600)
    assert resolve_password(None, str(p)).reveal() == PASSWORD
    assert capsys.readouterr().err == ""
    p.chmod(0o640)
    assert resolve_password(None, str(p)).reveal() == PASSWORD
    err = capsys.readouterr().err
    assert "readable by other users" in err and "chmod 600" in err
    assert PASSWORD not in err
    p.write_text("\n")
    with pytest.raises(UsageError, match="empty"):
        resolve_password(None, str(p))


def test_password_from_env_prompt_or_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WALLBOARD_PASSWORD", raising=False)
    monkeypatch.setenv("MY_PW", PASSWORD)
    assert resolve_password("MY_PW", None).reveal() == PASSWORD
    monkeypatch.setenv("WALLBOARD_PASSWORD", "from-default")
    assert resolve_password(None, None).reveal() == "from-default"
    monkeypatch.delenv("WALLBOARD_PASSWORD")
    with pytest.raises(UsageError, match="UNSET_VAR"):
        resolve_password("UNSET_VAR", None)
    with pytest.raises(UsageError, match="no password"):
        resolve_password(None, None, interactive=False)
    import getpass

    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "typed")
    assert resolve_password(None, None, interactive=True).reveal() == "typed"


def test_secret_and_urls_never_show_the_password() -> None:
    s = Secret(PASSWORD)
    for text in (repr(s), str(s), f"{s}", f"{s!r}", json.dumps({"x": str(s)})):
        assert PASSWORD not in text
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(s)
    assert display_url(f"wss://admin:{PASSWORD}@pbx:8885/wsi?x=1") == "wss://pbx:8885/wsi?x=1"
    assert display_url("ws://h:1") == "ws://h:1"


# ------------------------------------------------------------- args → settings
def parse(*argv: str) -> ConnectFlags:
    """argv → the typed flags, exactly as `wallboard` builds them."""
    return cli_flags(build_parser().parse_args(list(argv)))


def test_flags_override_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WALLBOARD_PASSWORD", PASSWORD)
    cfg = Config(url="ws://cfg:1", user="cfguser", domain="cfg.local", queues="8001", dialect="v12")
    s = settings_from_flags(parse("snapshot", "--extension", "101", "--queues", "8002-8003"), cfg)
    assert s.url == "ws://cfg:1" and s.dialect == "v12"
    assert s.extension == "101" and s.user is None  # a flag identity replaces the file's
    assert s.domain == "cfg.local"
    assert s.queues == ["8002", "8003"]
    s = settings_from_flags(parse("snapshot", "ws://flag:2/wsi", "--dialect", "auto"), cfg)
    assert s.url == "ws://flag:2/wsi" and s.dialect == "v22" and s.user == "cfguser"
    s = settings_from_flags(parse("snapshot", "ws://flag:2/wsi"), Config(user="x", domain="d"))
    assert s.dialect == "v22"
    s = settings_from_flags(parse("snapshot", "ws://flag:2/"), Config(user="x", domain="d"))
    assert s.dialect == "v16"
    assert PASSWORD not in repr(s)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["ws://h:1/wsi", "--user", "sysadmin"], "--tenants"),
        (["ws://h:1", "--user", "a", "--tenants", "1"], "v22 system admins"),
        (["wss://h:1", "--user", "a", "--insecure", "--ca-file", "x"], "contradict"),
        (["ws://", "--user", "a"], "ws://"),
    ],
)
def test_settings_usage_errors(
    argv: list[str], needle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WALLBOARD_PASSWORD", PASSWORD)
    with pytest.raises(UsageError, match=re.escape(needle)):
        settings_from_flags(parse("snapshot", *argv), Config())


async def test_live_client_records_and_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WALLBOARD_PASSWORD", PASSWORD)
    rec = tmp_path / "rec.jsonl"
    async with ScriptedPBX(serve_traffic) as pbx:
        flags = parse("connect", pbx.url, "--user", "admin", "--domain", "demo.local")
        state = WallboardState()
        ticks: list[int] = []
        settings = settings_from_flags(flags, Config())
        client = live_client(settings, state, record=str(rec), on_change=lambda: ticks.append(1))
        assert state.clock_fn is not None  # live: wall-clock time
        async with running(client):
            await until(lambda: state.invalid == 1)
            # flushed line by line: readable while the client still runs
            assert len(rec.read_text().splitlines()) >= 1 + 1 + 3 + 6
        assert ticks
    lines = rec.read_text().splitlines()
    assert json.loads(lines[0])["source"] == pbx.url
    assert PASSWORD not in rec.read_text()


def test_recorder_writes_exact_frames(tmp_path: Path) -> None:
    p = tmp_path / "r.jsonl"
    with Recorder(p, dialect="v12", source="ws://u:pw@h:1") as r:
        r.write('{"a": "\\u00e9 é"}', 1.5)
        r.write("not json at all", 2.0)
    lines = [json.loads(x) for x in p.read_text().splitlines()]
    assert lines[0]["source"] == "ws://h:1" and lines[0]["dialect"] == "v12"
    assert time.time() - 60 < lines[0]["started"] <= time.time()
    assert lines[1] == {"t": 1.5, "frame": '{"a": "\\u00e9 é"}'}
    assert lines[2]["frame"] == "not json at all"


def test_feed_and_config_never_import_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys, wallboard.config, wallboard.feed.live, wallboard.feed.client, "
        "wallboard.cli.run_headless; assert 'textual' not in sys.modules, 'textual imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def test_connect_settings_and_state_follow_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WALLBOARD_PASSWORD", PASSWORD)
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text(
        'url = "wss://pbx.example.com:8887/wsi"\n[identity]\nuser = "admin"\n'
        'domain = "d"\n[thresholds]\nsla_seconds = 30\nwaiting_crit = 9\n'
    )
    flags = parse("connect", "--config", str(cfg_file))
    config = load_config(flags.config)
    state = live_state(config)
    client = live_client(settings_from_flags(flags, config), state)
    assert config.thresholds.waiting_crit == 9
    assert state.targets.sla_seconds == 30.0 and state.clock_fn is not None
    assert client.settings.dialect == "v22"
    assert state.source.url == "wss://pbx.example.com:8887/wsi"
    assert state.source.kind == "live" and state.source.status == "disconnected"
