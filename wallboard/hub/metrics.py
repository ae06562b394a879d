"""`/metrics`: the model in Prometheus text, read at scrape time.

A custom collector walks the model when Prometheus scrapes (no bookkeeping
per event) and takes every number from `model.overview.queue_view`, the
same function the screen and the state document read: `/metrics` cannot
disagree with `/state`. Daily counts are Prometheus counters that reset at
the call center's midnight; `rate()` and `increase()` handle resets.
`wallboard_queue_service_level_ratio` is absent while the service level is
undefined (nobody answered or abandoned yet), never 0 or 1.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import CollectorRegistry

from wallboard.model.overview import queue_view
from wallboard.model.state import WallboardState

# The classic text format (what every Prometheus and every scraper reads).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class ModelCollector:
    """Yields the metric families of one model (a hub's, or a token's scoped copy)."""

    def __init__(self, state: WallboardState, extra: dict[str, float] | None = None) -> None:
        self.state = state
        self.extra = extra or {}

    def describe(self) -> list[Metric]:
        return []  # nothing to check at registration: names are fixed here

    def collect(self) -> Iterator[Metric]:
        st = self.state
        yield GaugeMetricFamily(
            "wallboard_pbx_connected",
            "1 while the hub is connected and subscribed to the PBX, else 0.",
            value=1.0 if st.source.status == "connected" else 0.0,
        )
        labels = ["queue", "name"]
        waiting = GaugeMetricFamily(
            "wallboard_queue_waiting",
            "Callers waiting in the queue now (booked callbacks not counted).",
            labels=labels,
        )
        callbacks = GaugeMetricFamily(
            "wallboard_queue_callbacks_waiting",
            "Booked callbacks still listed in the queue.",
            labels=labels,
        )
        longest = GaugeMetricFamily(
            "wallboard_queue_longest_wait_seconds",
            "The longest current wait of a caller in the queue, on the PBX's clock.",
            labels=labels,
        )
        offered = CounterMetricFamily(
            "wallboard_queue_offered",
            "Callers offered to the queue today (resets at local midnight).",
            labels=labels,
        )
        answered = CounterMetricFamily(
            "wallboard_queue_answered",
            "Callers answered by an agent today.",
            labels=labels,
        )
        abandoned = CounterMetricFamily(
            "wallboard_queue_abandoned",
            "Callers who hung up waiting today.",
            labels=labels,
        )
        overflowed = CounterMetricFamily(
            "wallboard_queue_overflowed",
            "Callers who left the queue to an overflow destination today.",
            labels=labels,
        )
        sl = GaugeMetricFamily(
            "wallboard_queue_service_level_ratio",
            "Answered within the queue's target / (answered with a known wait + abandoned), "
            "0-1; absent while undefined.",
            labels=labels,
        )
        target = GaugeMetricFamily(
            "wallboard_queue_sla_target_seconds",
            "The answer target the service level is measured against.",
            labels=labels,
        )
        asa = GaugeMetricFamily(
            "wallboard_queue_average_answer_seconds",
            "Average wait of answered callers today (known waits); absent while none.",
            labels=labels,
        )
        agents = GaugeMetricFamily(
            "wallboard_queue_agents",
            "Agents of the queue by their state in it.",
            labels=["queue", "state"],
        )
        queues = sorted(st.queues.values(), key=lambda q: (q.number or q.queue_id, q.queue_id))
        now = st.pbx_now()
        for q in queues:
            v = queue_view(st, q, now)
            lv = [q.number or q.queue_id, q.name]
            waiting.add_metric(lv, v.waiting)
            callbacks.add_metric(lv, v.callbacks_waiting)
            longest.add_metric(lv, v.longest_wait)
            offered.add_metric(lv, v.tally.offered)
            answered.add_metric(lv, v.tally.answered)
            abandoned.add_metric(lv, v.tally.abandoned)
            overflowed.add_metric(lv, v.tally.overflowed)
            target.add_metric(lv, v.target)
            if v.service_level is not None:
                sl.add_metric(lv, v.service_level / 100.0)
            if v.asa is not None:
                asa.add_metric(lv, v.asa)
            for state, n in sorted(v.agents.items()):
                agents.add_metric([q.number or q.queue_id, state], n)
        yield from (waiting, callbacks, longest, offered, answered, abandoned, overflowed)
        yield from (sl, target, asa, agents)
        frames = CounterMetricFamily(
            "wallboard_frames",
            "Frames received from the PBX since the hub started, by kind.",
            labels=["kind"],
        )
        frames.add_metric(["event"], st.events)
        frames.add_metric(["unknown"], st.unknown)
        frames.add_metric(["invalid"], st.invalid)
        yield frames
        for name, value in sorted(self.extra.items()):
            yield GaugeMetricFamily(name, "The hub itself.", value=value)


def render_metrics(
    state: WallboardState, extra: dict[str, float] | None = None
) -> tuple[bytes, str]:
    """The text exposition of `state` and its content type."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ModelCollector(state, extra))  # type: ignore[arg-type]
    return generate_latest(registry), CONTENT_TYPE


__all__ = ["CONTENT_TYPE", "ModelCollector", "render_metrics"]
