"""deploy/: the Grafana dashboard, the Prometheus config and the systemd unit match the hub.

A dashboard that names a metric the hub does not export, or a unit whose
command line the hub no longer accepts, fails here rather than on a wall.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from ui_helpers import REPLAY
from wallboard.cli.main import build_parser
from wallboard.feed.replay import replay_into
from wallboard.hub.metrics import render_metrics
from wallboard.model import WallboardState

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
HUB_EXTRAS = {
    "wallboard_hub_viewers": 1.0,
    "wallboard_hub_viewers_joining": 0.0,
    "wallboard_hub_viewers_dropped_slow": 0.0,
    "wallboard_hub_checkpoint_seconds_max": 0.0,
}


def exported_names() -> set[str]:
    state = WallboardState()
    replay_into(state, REPLAY)
    body, _ = render_metrics(state, extra=HUB_EXTRAS)
    names = set()
    for fam in text_string_to_metric_families(body.decode()):
        names.update(s.name for s in fam.samples)
    return names


def test_the_dashboard_uses_only_metrics_the_hub_exports() -> None:
    dash = json.loads((DEPLOY / "grafana-wallboard.json").read_text())
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    exprs += [v["definition"] for v in dash["templating"]["list"] if "definition" in v]
    used = {n for e in exprs for n in re.findall(r"\bwallboard_[a-z_]+\b", e)}
    assert used, "the dashboard should chart something"
    assert used <= exported_names(), sorted(used - exported_names())
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids)) and dash["uid"]


def test_the_contract_metrics_are_exported() -> None:
    names = exported_names()
    for name in (
        "wallboard_pbx_connected",
        "wallboard_queue_waiting",
        "wallboard_queue_longest_wait_seconds",
        "wallboard_queue_offered_total",
        "wallboard_queue_answered_total",
        "wallboard_queue_abandoned_total",
        "wallboard_queue_service_level_ratio",
        "wallboard_queue_agents",
        "wallboard_frames_total",
    ):
        assert name in names, name


def test_the_prometheus_config_reads_the_token_from_a_file() -> None:
    text = (DEPLOY / "prometheus.yml").read_text()
    assert "metrics_path: /metrics" in text and "credentials_file:" in text
    assert "wbt_" not in text  # no token in the file


def test_the_systemd_unit_runs_a_command_line_the_hub_accepts() -> None:
    text = (DEPLOY / "wallboard-hub.service").read_text()
    joined = re.sub(r"\\\n\s*", " ", text)
    line = next(ln for ln in joined.splitlines() if ln.startswith("ExecStart="))
    argv = shlex.split(line.removeprefix("ExecStart="))
    assert argv[0].endswith("wallboard") and argv[1] == "hub"
    argv = [a.replace("${CREDENTIALS_DIRECTORY}", "/run/credentials/x") for a in argv]
    args = build_parser().parse_args(argv[1:])
    assert args.password_file and args.tokens and args.listen
    assert "--password " not in line and "PASSWORD=" not in text
    assert "RestartPreventExitStatus=2 3" in text
