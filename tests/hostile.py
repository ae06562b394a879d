"""A replay file of hostile frames (issue 7): markup, escapes, controls, junk.

`python tests/hostile.py` rewrites tests/fixtures/hostile.jsonl; a test checks
the committed file matches, so it stays a faithful, reviewable fixture that a
person can also replay by hand (`wallboard replay tests/fixtures/hostile.jsonl`).
"""

from __future__ import annotations

import json
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "hostile.jsonl"
T0 = 1_700_000_000

# Display names an outside caller (or a broken PBX) can choose.
HOSTILE_NAMES = [
    "[/x]",
    "[@click=app.quit]click me[/]",
    "[bold red on white]SHOUTING[/]",
    "[link=https://evil.example]x[/link]",
    "\x1b]0;pwned title\x07",
    "\x1b]52;c;cm0gLXJmIH4=\x07",
    "\x1b[2J\x1b[Hcleared",
    "\x9b31mC1 CSI",
    "bidi \u202etxt.exe\u202c",
    "nul\x00byte",
    "zero\u200bwidth\u2066isolate\u2069",
    "wide 📞☎️ 漢字",
    "L" * 5000,
    "back\\slash ${HOME} $(id) `id` %s %n {0}",
]


def hostile_lines() -> list[str]:
    lines: list[str] = []
    for i, name in enumerate(HOSTILE_NAMES):
        sid = f"h{i}"
        lines.append(
            json.dumps(
                {
                    "event_type": "call_start",
                    "session_id": sid,
                    "caller": f"sip:{name}@evil.example",
                    "callee": "sip:101@demo.local",
                    "caller_display_name": name,
                    "direction": "in",
                    "time": str(T0 + i),
                }
            )
        )
        lines.append(
            json.dumps(
                {
                    "event_type": "queue_caller_status",
                    "queue_id": "q-hostile",
                    "updated_callers": [
                        {
                            "session_id": sid,
                            "caller_number": name,
                            "caller_name": name,
                            "reason": "enqueue",
                            "timestamp": str(T0 + i),
                            "type": "normal",
                        }
                    ],
                }
            )
        )
    lines.append(
        json.dumps(
            {
                "event_type": "queue_status",
                "queue_id": "q-hostile",
                "queue_number": "[red]8001",
                "queue_name": "\x1b[5mBlink[/] \u202eSales",
                "waiting_list": "not a list",
                "agents": [
                    {"agent_extension_number": "[b]101", "state": "[@click=app.quit]X"},
                    7,
                    None,
                ],
            }
        )
    )
    lines.append(
        json.dumps(
            {
                "event_type": "trunk_disconnected",
                "trunk_name": "\x1b]0;t\x07[/]trunk",
                "time": T0 + 50,
            }
        )
    )
    lines.append(
        json.dumps(
            {
                "event_type": "extension_presence",
                "extension": "sip:[/x]@x",
                "presence": "[/]",
                "presence_note": "\x1b[31mred",
            }
        )
    )
    # Frames that are not usable at all: each must be counted as invalid.
    lines += [
        "not json at all",
        "[" * 3000 + "]" * 3000,
        '{"event_type": "call_start", "time": NaN}',
        "[1, 2, 3]",
        '{"no_event_type": true}',
        '{"event_type": "call_start"}',
        json.dumps({"event_type": "queue_caller_status"}),
        json.dumps({"event_type": 12}),
    ]
    # Unknown but well-formed.
    lines.append(json.dumps({"event_type": "[/x]\x1b]0;x\x07", "time": T0 + 60}))
    # A normal event after all of it must still apply.
    lines.append(
        json.dumps(
            {"event_type": "trunk_connected", "trunk_name": "after-hostile", "time": T0 + 61}
        )
    )
    return lines


HOSTILE_INVALID = 8
HOSTILE_UNKNOWN = 1


def write_fixture(path: Path = FIXTURE) -> None:
    path.write_text("\n".join(hostile_lines()) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_fixture()
