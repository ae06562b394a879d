"""Status line, alert bar and KPI tiles: the parts read from across the room."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Digits, Footer, Label, Static

from wallboard.model.overview import Overview
from wallboard.model.state import COUNTS, QUEUES, SOURCE, TRUNKS, WallboardState
from wallboard.ui.derived import Changes
from wallboard.ui.fmt import ago, dur, hm, hms, pct, short_dur
from wallboard.ui.panel import Ctx, Panel, Registered
from wallboard.ui.text import safe_text

# Connected, but nothing arrived for this long: say so (a quiet PBX is rare in a call center).
QUIET_AFTER = 120.0
# An unwatched gap of today shorter than this (a quick reconnect) is not worth the status line.
GAP_SHOWN_AFTER = 5.0


def gap_text(st: Any, now: float) -> str:
    """ "not watching 10:02–10:15" for today's latest gap (+N earlier ones), on the call center's clock."""
    if st.counting_since is None or not now:
        return ""
    gaps = [g for g in st.coverage.gaps(st.counting_since, now) if g[1] - g[0] >= GAP_SHOWN_AFTER]
    if not gaps:
        return ""
    a, b = gaps[-1]
    fmt = "%H:%M" if b - a >= 60 else "%H:%M:%S"
    cal = st.calendar
    text = f"not watching {cal.local(a).strftime(fmt)}–{cal.local(b).strftime(fmt)}"
    if len(gaps) > 1:
        text += f" (+{len(gaps) - 1} earlier)"
    return text


@dataclass(slots=True)
class FeedInfo:
    """What the app knows about its feed beyond `state.source` (replay speed, crash)."""

    label: str = ""  # e.g. "replay ×10 night.jsonl"
    error: str = ""  # the feed worker died with this
    store: str = ""  # the store cannot write: the day is kept in memory only
    # Viewing a hub: the viewer's own link to it (feed.viewer.HubLink); `state.source`
    # is then the hub's connection to the PBX.
    link: Any = None


class LinkClock:
    """A hub link in words, with the countdown to the next try."""

    def __init__(self) -> None:
        self._seen: tuple[Any, ...] | None = None
        self._seen_at = 0.0

    def words(self, link: Any, wall: float) -> str:
        sig = (link.status, link.attempt, link.retry_in)
        if sig != self._seen:
            self._seen, self._seen_at = sig, wall
        if link.status == "connected":
            return "hub"
        if link.status == "reconnecting":
            if link.retry_in is not None:
                left = max(0.0, link.retry_in - (wall - self._seen_at))
                return f"hub unreachable, retrying in {left:.0f}s"
            return "hub unreachable, retrying"
        if link.status == "rejected":
            return "hub rejected the token"
        return f"hub {link.status}"


class SourceClock:
    """Turns `state.source` into words, with a countdown for the reconnect wait."""

    def __init__(self) -> None:
        self._seen: tuple[Any, ...] | None = None
        self._seen_at = 0.0

    def words(self, ctx: Ctx) -> str:
        src = ctx.state.source
        sig = (src.status, src.attempt, src.retry_in)
        if sig != self._seen:
            self._seen, self._seen_at = sig, ctx.wall
        status = src.status
        if status == "connected":
            return "replaying" if src.kind == "replay" else "connected"
        if status == "reconnecting":
            if src.retry_in is not None:
                left = max(0.0, src.retry_in - (ctx.wall - self._seen_at))
                return f"reconnecting in {left:.0f}s (attempt {max(1, src.attempt)})"
            return f"reconnecting (attempt {max(1, src.attempt)})"
        if status == "auth_failed":
            return "auth failed"
        if status == "finished":
            return "replay finished"
        if src.kind == "live" and _not_yet(src):
            return "connecting"
        return status or "disconnected"


def _not_yet(src: Any) -> bool:
    """A live feed that has not failed nor received anything yet: connecting, not lost."""
    return src.status == "disconnected" and not src.last_error and not src.last_frame_at


_LINK_WORDS = LinkClock()


def feed_words(ctx: Ctx, link: Any) -> str:
    return _LINK_WORDS.words(link, ctx.wall)


def alerts(ctx: Ctx, words: str, feed: FeedInfo, stale: StaleLines) -> list[str]:
    """Everything that must be impossible to miss, most serious first."""
    st = ctx.state
    src = st.source
    out: list[str] = []
    if feed.error:
        out.append(f"FEED STOPPED: {safe_text(feed.error, 100)}")
    if feed.store:
        out.append(f"HISTORY NOT SAVED: {safe_text(feed.store, 200)}")
    link = feed.link
    if link is not None and link.status != "connected":
        err = f": {safe_text(link.last_error, 200)}" if link.last_error else ""
        if link.status == "rejected":
            out.append(f"HUB REJECTED THIS VIEWER{err} (press r to try again)")
            return out
        if link.status != "connecting" or link.last_error:
            asof = f" — numbers are from {hms(src.last_frame_at)}" if src.last_frame_at else ""
            out.append(f"HUB UNREACHABLE ({feed_words(ctx, link)}){err}{asof}")
        return out  # what the hub knew of the PBX is as old as the link
    if src.kind == "live" and src.status != "connected" and not _not_yet(src):
        if src.status == "auth_failed":
            what = "LOGIN REJECTED"
        else:
            what = "PBX DISCONNECTED" if link is not None else "CONNECTION LOST"
        if link is not None:
            words = f"the hub is {words}"
        # Room for the whole line (the bar wraps): the fix ("use --ca-file …") is at its end.
        err = f": {safe_text(src.last_error, 200)}" if src.last_error else ""
        asof = f" — numbers are from {hms(src.last_frame_at)}" if src.last_frame_at else ""
        out.append(f"{what} ({words}){err}{asof}")
    elif src.kind == "live" and src.last_frame_at and ctx.wall - src.last_frame_at > QUIET_AFTER:
        out.append(f"NO DATA for {dur(ctx.wall - src.last_frame_at)} — the numbers may be stale")
    down = [t for t in st.trunks.values() if not t.connected]
    if down:
        names = ", ".join(safe_text(t.name, 24) for t in down[:4])
        more = f" +{len(down) - 4}" if len(down) > 4 else ""
        out.append(f"TRUNK DOWN: {names}{more} (since {hm(min(t.since for t in down))})")
    out.extend(stale.lines(st))
    return out


class StaleLines:
    """The "unconfirmed since the reconnect" lines, scanned again only when the model
    changed: 5 times a second over 2,500 calls was most of an idle board's alert bar."""

    def __init__(self) -> None:
        self._key: tuple[int, int] | None = None
        self._lines: list[str] = []

    def lines(self, st: WallboardState) -> list[str]:
        key = (id(st), st.version)  # one bar, one model: id() only guards a swapped model
        if key != self._key:
            self._key = key
            self._lines = self._scan(st)
        return self._lines

    @staticmethod
    def _scan(st: WallboardState) -> list[str]:
        out: list[str] = []
        n = sum(1 for c in st.calls.values() if c.stale)
        if n:
            out.append(f"{n} call(s) unconfirmed since the reconnect (may have ended)")
        stale_queues = [q for q in st.queues.values() if q.stale]
        if stale_queues:
            names = ", ".join(safe_text(q.number or q.queue_id, 12) for q in stale_queues[:4])
            more = f" +{len(stale_queues) - 4}" if len(stale_queues) > 4 else ""
            out.append(f"queue(s) {names}{more} unconfirmed since the reconnect (may be gone)")
        return out


class StatusLine(Registered, Panel, Static):
    """Source, dialect, connection state in words, age of the last event, clock, since."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.clock = SourceClock()
        self.link_clock = LinkClock()
        self._last: Text | None = None

    def sync(self, ctx: Ctx, tick: bool) -> None:
        app: Any = self.app
        st = ctx.state
        src = st.source
        words = self.clock.words(ctx)
        t = Text(no_wrap=True, overflow="ellipsis", end="")
        if getattr(app, "paused", False):
            t.append(" PAUSED ", style="bold reverse yellow")
            t.append(" ")
        ok = src.status in ("connected", "finished")
        feed: FeedInfo = getattr(app, "feed_info", FeedInfo())
        link = feed.link
        if link is not None:
            # Viewing a hub: first the link to the hub, then the hub's link to the PBX.
            up = link.status == "connected"
            t.append("● " if up else "✖ ", style="bold green" if up else "bold red")
            t.append(self.link_clock.words(link, ctx.wall), style="bold" if up else "bold red")
            t.append(" · PBX " if up else " · PBX (as last seen) ", style="dim")
            ok = ok and up
        t.append("● " if ok else "✖ ", style="bold green" if ok else "bold red")
        t.append(words, style="bold" if ok else "bold red")
        clock = ctx.wall if src.kind == "live" else ctx.now
        t.append(f"  {hms(clock)}", style="bold")
        dialect = src.dialect or st.dialect_seen or "?"
        t.append(f"  {dialect}", style="bold")
        if src.insecure:
            t.append("  INSECURE TLS", style="bold red")
        if src.kind == "live":
            # Whole seconds on both sides: the age changes on the same tick as the
            # clock, so an idle board repaints once a second, not twice.
            age = None if not src.last_frame_at else int(ctx.wall) - int(src.last_frame_at)
            t.append(f"  last event {ago(age)}")
        if st.skew.shown:
            off = st.skew.offset
            t.append(f"  PBX clock {'-' if off > 0 else '+'}{abs(off):.0f} s", style="bold yellow")
        t.append(f"  since {hm(st.counting_since)}", style="dim")
        gap = gap_text(st, ctx.now)
        if gap:
            t.append(f"  {gap}", style="bold yellow")
        # The label can hold a file name (replay): as untrusted as the PBX's text.
        where = safe_text(feed.label, 60) or safe_text(src.url, 40)
        if where:
            t.append(f"  {where}", style="dim")
        if self._last is None or t.plain != self._last.plain or t.spans != self._last.spans:
            self._last = t
            # One line, its size set by the layout: no layout pass for a new text
            # (one a second would reflow the whole screen on an idle board).
            self.update(t, layout=False)


class AlertBar(Registered, Panel, Static):
    """Reverse red lines for what must not be missed; hidden when all is well."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.clock = SourceClock()
        self._stale = StaleLines()
        self._shown: list[str] = []
        self.display = False

    def sync(self, ctx: Ctx, tick: bool) -> None:
        app: Any = self.app
        feed = getattr(app, "feed_info", FeedInfo())
        lines = alerts(ctx, self.clock.words(ctx), feed, self._stale)
        if lines != self._shown:
            self._shown = lines
            self.display = bool(lines)
            self.update(Text("\n".join(f"⚠ {x}" for x in lines), end=""))

    @property
    def lines(self) -> list[str]:
        return list(self._shown)


class QuietFooter(Footer):
    """Textual's Footer, rebuilt only when the keys it shows change.

    Footer recomposes (every key widget restyled) whenever the focused
    widget's bindings change, i.e. on every page key, though the tables'
    bindings are not shown: a tenth of a page switch on a full board.
    """

    _shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        shown = tuple(
            (binding.key, binding.description, binding.action, enabled, tooltip)
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
        )
        if shown == self._shown:
            return
        if screen.app.app_focus:  # without focus Footer waits: so do we
            self._shown = shown
        super().bindings_changed(screen)


class KpiTile(Vertical):
    """A label and a value: Digits when there is room, bold text when compact."""

    def __init__(self, label: str, short: str, *, id: str) -> None:
        super().__init__(id=id, classes="tile")
        self.label = label
        self.short = short
        self._value: str | None = None
        self._level = "ok"
        self.border_title = label

    def compose(self) -> ComposeResult:
        yield Label(self.short, classes="tile-label")
        yield Digits("", classes="tile-digits")
        yield Static("", classes="tile-text")

    def on_resize(self) -> None:
        """The whole word where it fits (120 columns fit "Answered"), else the short one."""
        width = self.content_region.width
        label = self.label if len(self.label) <= width else self.short
        self.query_one(".tile-label", Label).update(label)

    def show(self, value: str, level: str = "ok") -> None:
        if value != self._value:
            self._value = value
            self.query_one(Digits).update(value)
            self._show_text()
        if level != self._level:
            self.remove_class(f"-{self._level}")
            self._level = level
            self.add_class(f"-{level}")
            # A text marker too, so NO_COLOR and monochrome terminals still see it.
            mark = {"warn": " ▲", "crit": " ▲▲"}.get(level, "")
            self.border_title = self.label + mark
            self._show_text()

    def _show_text(self) -> None:
        mark = {"warn": " ▲", "crit": " ▲▲"}.get(self._level, "")
        text = Text((self._value or "") + mark, end="")
        self.query_one(".tile-text", Static).update(text, layout=False)  # a fixed-size cell

    @property
    def value(self) -> str | None:
        return self._value


# (id, label, short label for a tile too narrow for the label: ~8 columns at 80)
TILES: tuple[tuple[str, str, str], ...] = (
    ("waiting", "Waiting", "Waiting"),
    ("longest", "Longest", "Longest"),
    ("answered", "Answered", "Answerd"),
    ("abandoned", "Abandoned", "Abandnd"),
    ("sl", "Service lvl", "SL"),
    ("asa", "Avg answer", "ASA"),
    ("ready", "Ready", "Ready"),
    ("busy", "Busy", "Busy"),
    ("notready", "Not ready", "NotRdy"),
)


def tile_values(ctx: Ctx, o: Overview) -> dict[str, tuple[str, str]]:
    """tile id → (text, level) from the model's overview; where KPIs meet thresholds."""
    th = ctx.thresholds
    longest = o.longest_wait
    sl = o.service_level
    return {
        "waiting": (str(o.waiting), th.waiting_level(o.waiting)),
        "longest": (short_dur(longest), th.longest_wait_level(longest)),
        "answered": (str(o.tally.answered), "ok"),
        "abandoned": (str(o.tally.abandoned), "ok"),
        "sl": (pct(sl).replace("—", "-"), th.service_level_level(sl)),
        "asa": (short_dur(o.asa) if o.asa is not None else "-", "ok"),
        "ready": (str(o.ready), "ok"),
        "busy": (str(o.busy), "ok"),
        "notready": (str(o.not_ready), "ok"),
    }


class KpiTiles(Registered, Panel, Horizontal):
    """The KPI row: waiting, longest wait, answered, abandoned, SL, ASA, agents."""

    FLAGS: ClassVar[int] = QUEUES | COUNTS | SOURCE | TRUNKS

    def __init__(self, *, id: str | None = None, prefix: str = "kpi") -> None:
        super().__init__(id=id, classes="tiles")
        self.prefix = prefix
        self._dirty = True

    def compose(self) -> ComposeResult:
        for key, label, short in TILES:
            yield KpiTile(label, short, id=f"{self.prefix}-{key}")

    def note(self, ch: Changes) -> None:
        if ch.full or ch.flags & self.FLAGS or ch.numbers:
            self._dirty = True

    def invalidate(self) -> None:
        self._dirty = True

    def sync(self, ctx: Ctx, tick: bool) -> None:
        if not (self._dirty or tick):
            return
        self._dirty = False
        values = tile_values(ctx, ctx.overview)
        for key, (text, level) in values.items():
            self.query_one(f"#{self.prefix}-{key}", KpiTile).show(text, level)

    def values(self) -> dict[str, str | None]:
        return {key: self.query_one(f"#{self.prefix}-{key}", KpiTile).value for key, _, _ in TILES}


__all__ = [
    "AlertBar",
    "FeedInfo",
    "KpiTile",
    "KpiTiles",
    "QuietFooter",
    "SourceClock",
    "StatusLine",
    "alerts",
    "tile_values",
]
