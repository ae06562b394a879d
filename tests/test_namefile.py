"""`--names FILE` (CSV number,name) and the config's `[names]` table."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wallboard.config import load_config
from wallboard.errors import UsageError
from wallboard.feed.namefile import (
    load_names_file,
    load_overrides,
    merge_names,
    parse_names_csv,
    parse_names_table,
)


def test_plain_file_without_header(tmp_path: Path) -> None:
    f = tmp_path / "names.csv"
    f.write_text("101,Anna Adams\n102,Ben Baker\n+4930123456,Head Office\n", encoding="utf-8")
    got = load_names_file(f)
    assert got.names == {"101": "Anna Adams", "102": "Ben Baker", "+4930123456": "Head Office"}
    assert got.problems == []


def test_header_bom_crlf_quotes_comments_and_blank_lines(tmp_path: Path) -> None:
    f = tmp_path / "names.csv"
    text = (
        "number,name\r\n"
        "# the support team\r\n"
        "\r\n"
        '101,"Adams, Anna"\r\n'
        "102 , José Núñez \r\n"
        "103,王芳\r\n"
        '104,"[b]Bold[/b] [@click=app.quit]"\r\n'
    )
    f.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    got = load_names_file(f)
    assert got.names == {
        "101": "Adams, Anna",
        "102": "José Núñez",
        "103": "王芳",
        "104": "[b]Bold[/b] [@click=app.quit]",  # text, shown literally
    }
    assert got.problems == []
    other = parse_names_csv("Extension,Display name\n101,Anna\n")
    assert other.names == {"101": "Anna"} and other.problems == []


def test_bad_lines_are_reported_with_their_line_numbers() -> None:
    text = (
        "101,Anna\n"
        "abc,Not a number\n"
        "102\n"
        "103,Three,Columns\n"
        "104,\n"
        "105,\x1b[31mred\n"
        "101,Anna Again\n"
        "106,Fine\n"
    )
    got = parse_names_csv(text, "team.csv")
    assert got.names == {"101": "Anna Again", "106": "Fine"}
    lines = [p.split(":", 2)[1] for p in got.problems]
    assert lines == ["2", "3", "4", "5", "6", "7"]
    assert all(p.startswith("team.csv:") for p in got.problems)
    assert "not a phone or extension number" in got.problems[0]
    assert "quote a name" in got.problems[2]
    assert "control characters" in got.problems[4]
    assert "first on line 1" in got.problems[5]
    assert "\x1b" not in " ".join(got.problems)


def test_a_header_is_only_the_first_line() -> None:
    got = parse_names_csv("101,Anna\nnumber,name\n")
    assert got.names == {"101": "Anna"}
    assert len(got.problems) == 1 and ":2:" in got.problems[0]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "no such file"),
        ("dir", "it is a directory"),
        ("latin1", "not UTF-8 text (line 2)"),
    ],
)
def test_unreadable_file_is_a_usage_error(tmp_path: Path, setup: str, message: str) -> None:
    f = tmp_path / "names.csv"
    if setup == "dir":
        f.mkdir()
    elif setup == "latin1":
        f.write_bytes("101,Anna\n102,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(UsageError) as info:
        load_names_file(f)
    assert message in str(info.value)
    assert str(f) in str(info.value)
    assert info.value.exit_code == 2


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
def test_unreadable_permissions(tmp_path: Path) -> None:
    f = tmp_path / "names.csv"
    f.write_text("101,Anna\n")
    f.chmod(0)
    with pytest.raises(UsageError, match="permission denied"):
        load_names_file(f)


def test_names_table_in_the_config(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        'url = "wss://pbx.example.com:8887/wsi"\n'
        "[names]\n"
        '101 = "Anna Adams"\n'
        '"8001" = "Sales line"\n'
        '"+4930123" = "Office"\n',
        encoding="utf-8",
    )
    config = load_config(cfg)
    assert config.names == {"101": "Anna Adams", "8001": "Sales line", "+4930123": "Office"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"101": 5}, "names.101: expected a string"),
        ({"abc": "x"}, "names.abc: not a phone or extension number"),
        ({"101": "a\x1bb"}, "names.101: the name contains control characters"),
        ({"101": ""}, "names.101: empty name"),
    ],
)
def test_bad_names_table_is_one_clear_line(table: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_names_table(table)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_table_parser_and_merge() -> None:
    assert parse_names_table({"101": " Anna "}) == {"101": "Anna"}
    with pytest.raises(ValueError):
        parse_names_table(["101", "Anna"])
    # The names file wins over the config table (both win over the PBX).
    assert merge_names({"101": "A", "102": "B"}, {"101": "C"}) == {"101": "C", "102": "B"}


def test_overrides_from_config_and_file_with_capped_warnings(tmp_path: Path) -> None:
    f = tmp_path / "names.csv"
    f.write_text("101,File Anna\n" + "".join(f"x{i},bad\n" for i in range(15)), encoding="utf-8")
    warnings: list[str] = []
    got = load_overrides({"101": "Config Anna", "102": "Config Ben"}, f, warnings.append)
    assert got == {"101": "File Anna", "102": "Config Ben"}
    assert len(warnings) == 11 and "5 more bad line(s)" in warnings[-1]
    assert load_overrides(None, None, warnings.append) == {}
    with pytest.raises(UsageError):
        load_overrides(None, tmp_path / "missing.csv", warnings.append)
