"""`i`: what a number is, its formula, and the inputs it was computed from right now.

Focus decides whose numbers: a KPI tile (the totals, that tile's number
first), a queue row (that queue's numbers, with its own target and SL
definition), an agent row (the agent's day), the history chart (the
interval under its cursor); anything else explains the totals of the
tenant shown. A widget can say for itself what `i` means on it by having
``explain_subject() -> Subject | None`` (tables do that when they know
better than the fallbacks here).

Every explanation comes from `wallboard.model.explain`, built from the same
tally and formula as the number on screen, and is rebuilt on every refresh
while the screen is open, so it never disagrees with the board behind it.
PBX text (queue and agent names) is shown literally.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from wallboard.model import explain
from wallboard.model.explain import Explanation
from wallboard.model.overview import queue_view
from wallboard.model.state import WallboardState
from wallboard.model.tally import Tally
from wallboard.ui.derived import Changes
from wallboard.ui.fmt import hm
from wallboard.ui.panels import Ctx, Panel
from wallboard.ui.tenants import queues_of, tenant_label, tenant_overview
from wallboard.ui.text import safe_text

if TYPE_CHECKING:
    from wallboard.model.dayview import IntervalRow
    from wallboard.ui.daypicture import DayPicture

Item = tuple[str, Explanation]  # (which number, its explanation)
Built = tuple[list[Item], str]  # the numbers, and a line about the settings behind them

# Names of the numbers, for the palette ("Explain: service level") and the tiles.
NUMBERS: tuple[tuple[str, str], ...] = (
    ("waiting", "waiting callers"),
    ("longest", "longest wait"),
    ("offered", "offered"),
    ("answered", "answered"),
    ("abandoned", "abandoned"),
    ("sl", "service level"),
    ("asa", "average speed of answer (ASA)"),
    ("abandon_rate", "abandon rate"),
    ("aht", "average handle time (AHT)"),
    ("ready", "agents ready"),
    ("busy", "agents busy"),
    ("not_ready", "agents not ready"),
    ("occupancy", "agent occupancy"),
    ("day", "agent's day"),
)
TILE_KEYS = {"notready": "not_ready"}  # KPI tile id -> number key where they differ


@dataclass(frozen=True, slots=True)
class Subject:
    """Whose numbers: a title (safe text) and how to build them from the model now."""

    title: str
    build: Callable[[WallboardState, float], Built] = field(compare=False)
    first: str = ""


# --------------------------------------------------------------- builders
def _tally_items(
    t: Tally, definition: str, target: float | None, short: float | None
) -> list[Item]:
    return [
        ("offered", explain.count("offered", t)),
        ("answered", explain.count("answered", t)),
        ("abandoned", explain.count("abandoned", t)),
        ("sl", explain.service_level(t, definition, target, short)),
        ("asa", explain.asa(t)),
        ("abandon_rate", explain.abandon_rate(t)),
        ("aht", explain.aht(t)),
    ]


def _settings(definition: str, target: float | None, short: float | None) -> str:
    tgt = f"answer target {target:g} s" if target is not None else "each queue's own answer target"
    sh = (
        f"short abandons ≤ {short:g} s"
        if short is not None
        else "each queue's own short-abandon time"
    )
    return f"{tgt} · SL definition {definition} · {sh}"


def queue_items(state: WallboardState, queue_id: str, now: float) -> Built:
    q = state.queues.get(queue_id)
    if q is None:
        gone = Explanation(
            "Queue", "—", "This queue is gone (deleted on the PBX).", "—", "no numbers to explain"
        )
        return [("gone", gone)], ""
    v = queue_view(state, q, now)
    short = state.targets.short_abandon_for(q.number)
    items: list[Item] = [
        ("waiting", explain.waiting(v.waiting, v.callbacks_waiting)),
        ("longest", explain.longest_wait(v.longest_wait, v.waiting)),
        *_tally_items(v.tally, v.definition, v.target, short),
    ]
    return items, _settings(v.definition, v.target, short)


def totals_items(state: WallboardState, tenant: str | None, now: float) -> Built:
    o = tenant_overview(state, tenant, now)
    queues = queues_of(state, tenant)
    scope = list(state.queues.values()) if queues is None else queues
    targets = {state.sla_threshold(q) for q in scope}
    shorts = {state.targets.short_abandon_for(q.number) for q in scope}
    target = next(iter(targets)) if len(targets) == 1 else None
    short = next(iter(shorts)) if len(shorts) == 1 else None
    if not scope:
        target, short = state.targets.sla_seconds, state.targets.short_abandon_seconds
    callbacks = sum(q.callbacks_waiting for q in scope)
    items: list[Item] = [
        ("waiting", explain.waiting(o.waiting, callbacks)),
        ("longest", explain.longest_wait(o.longest_wait, o.waiting)),
        *_tally_items(o.tally, o.definition, target, short),
        ("ready", explain.agents("ready", o.ready, o.busy, o.not_ready)),
        ("busy", explain.agents("busy", o.ready, o.busy, o.not_ready)),
        ("not_ready", explain.agents("not_ready", o.ready, o.busy, o.not_ready)),
    ]
    note = f"{o.queues} queue{'s' if o.queues != 1 else ''} summed · " + _settings(
        o.definition, target, short
    )
    return items, note


def agent_items(state: WallboardState, tenant: str, number: str, now: float) -> Built:
    day = state.agent_days.get((tenant, number))
    if day is None:
        none = Explanation(
            "Agent's day",
            "—",
            "Queue calls this agent took today and where their time went.",
            "time in a state = today's periods in it added up",
            "no queue state seen for this agent today",
        )
        return [("day", none)], ""
    items: list[Item] = [
        ("day", explain.agent_day(day, now)),
        ("occupancy", explain.occupancy(day, now)),
    ]
    return items, "one person across their queues, in their most telling state"


# --------------------------------------------------------------- subjects
def totals_subject(state: WallboardState, tenant: str | None, first: str = "") -> Subject:
    def build(st: WallboardState, now: float) -> Built:
        return totals_items(st, tenant, now)

    first = TILE_KEYS.get(first, first)
    title = "Totals · all queues"
    if tenant is not None:
        title = f"Totals · tenant {tenant_label(state, tenant)}"
    return Subject(title, build, first)


def queue_subject(state: WallboardState, queue_id: str, first: str = "sl") -> Subject:
    q = state.queues.get(queue_id)
    label = safe_text(q.number or q.queue_id, 16) if q is not None else safe_text(queue_id, 16)
    name = safe_text(q.name, 40) if q is not None else ""
    title = f"Queue {label} {name}".strip()

    def build(st: WallboardState, now: float) -> Built:
        return queue_items(st, queue_id, now)

    return Subject(title, build, first)


def agent_subject(state: WallboardState, tenant: str, number: str) -> Subject:
    name = state.names.name(tenant, number) or ""
    title = f"Agent {safe_text(number, 16)} {safe_text(name, 40)}".strip()

    def build(st: WallboardState, now: float) -> Built:
        return agent_items(st, tenant, number, now)

    return Subject(title, build, "day")


def interval_subject(pic: DayPicture, row: IntervalRow) -> Subject:
    """The numbers of one interval of the history chart (its tally, as it was drawn)."""
    ref = pic.single
    tally = row.tally

    def build(state: WallboardState, now: float) -> Built:
        target = state.targets.sla_seconds_for(ref.number, None) if ref is not None else None
        short = state.targets.short_abandon_for(ref.number) if ref is not None else None
        if ref is not None:
            q = state.queues.get(ref.key)
            if q is not None:
                target = state.sla_threshold(q)
        items = _tally_items(tally, pic.definition, target, short)
        return items, f"{hm(row.start)}–{hm(row.end)} of {pic.day} · " + _settings(
            pic.definition, target, short
        )

    return Subject(f"{pic.title} · {hm(row.start)}–{hm(row.end)}", build, "sl")


def _agent_key(app: Any, number: Any) -> tuple[str, str]:
    """(tenant, number) of an agent row: its key when it is one (the agents table),
    else (a row keyed by number) the filtered tenant's first."""
    if isinstance(number, tuple):
        return number  # type: ignore[return-value]
    keys = sorted(k for k in app.state.agent_days if k[1] == number)
    tenant = getattr(app, "tenant_filter", None)
    for k in keys:
        if tenant is None or k[0] == tenant:
            return k
    return keys[0] if keys else ("", number)


def subject_for(app: Any, first: str | None = None) -> Subject:
    """What `i` explains: the focused widget's own answer, else by what it shows."""
    from wallboard.ui.screens.extension import ExtensionScreen
    from wallboard.ui.screens.queue import QueueScreen

    focused = app.focused
    own = getattr(focused, "explain_subject", None)
    if callable(own):
        subject = own()
        if subject is not None:
            return _starting(subject, first)
    state: WallboardState = app.state
    detail = getattr(focused, "DETAIL", None)
    key = getattr(focused, "cursor_key", None)
    subject: Subject | None = None
    if key is not None and type(focused).__name__ == "WaitingTable":
        subject = queue_subject(state, str(key).partition("\x1f")[0])
    elif key is not None and detail == "queue":
        subject = queue_subject(state, key)
    elif key is not None and detail == "agent":
        subject = agent_subject(state, *_agent_key(app, key))
    elif key is not None and detail == "extension":
        tenant, _, number = str(key).partition("/")
        subject = agent_subject(state, tenant, number)
    elif isinstance(app.screen, QueueScreen):
        subject = queue_subject(state, app.screen.queue_id)
    elif isinstance(app.screen, ExtensionScreen):
        subject = agent_subject(state, *app.screen.ext_key)
    if subject is None:
        subject = totals_subject(state, getattr(app, "tenant_filter", None))
    return _starting(subject, first)


def _starting(subject: Subject, first: str | None) -> Subject:
    if not first:
        return subject
    return Subject(subject.title, subject.build, TILE_KEYS.get(first, first))


# ------------------------------------------------------------------ screen
class ExplainBody(Panel, Static):
    """The explanation shown, rebuilt from the model on every refresh."""

    def __init__(self, subject: Subject) -> None:
        super().__init__("", id="explain-body")
        self.subject = subject
        self.items: list[Item] = []
        self.settings = ""
        self.index = 0
        self._key = subject.first
        self._last: str | None = None

    def on_mount(self) -> None:
        register = getattr(self.app, "register_panel", None)
        if register is not None:
            register(self)
        state = self.app.state
        self.rebuild(state, state.pbx_now())

    def on_unmount(self) -> None:
        unregister = getattr(self.app, "unregister_panel", None)
        if unregister is not None:
            unregister(self)

    def note(self, ch: Changes) -> None:
        return None  # rebuilt on every refresh while open: it is one small text

    def sync(self, ctx: Ctx, tick: bool) -> None:
        if tick:  # once a second is live enough for reading a formula
            self.rebuild(ctx.state, ctx.now)

    def rebuild(self, state: WallboardState, now: float) -> None:
        self.items, self.settings = self.subject.build(state, now)
        keys = [k for k, _ in self.items]
        self.index = keys.index(self._key) if self._key in keys else 0
        self._render_now()

    def step(self, n: int) -> None:
        if self.items:
            self.index = (self.index + n) % len(self.items)
            self._key = self.items[self.index][0]
            self._render_now()

    @property
    def current(self) -> Explanation | None:
        return self.items[self.index][1] if self.items else None

    def _render_now(self) -> None:
        t = self.render_text()
        if t.plain != self._last:
            self._last = t.plain
            self.update(t)

    def render_text(self) -> Text:
        t = Text(end="")
        t.append(self.subject.title, style="bold")
        t.append(f"   {self.index + 1}/{len(self.items)}\n\n", style="dim")
        e = self.current
        if e is not None:
            t.append(f"{e.title}  ", style="bold")
            t.append(f"{e.value}\n", style="bold reverse")
            t.append(f"{e.meaning}\n\n")
            t.append("Formula  ", style="dim")
            t.append(f"{e.formula}\n")
            t.append("Inputs   ", style="dim")
            t.append(f"{e.inputs}\n")
        if self.settings:
            t.append("Settings ", style="dim")
            t.append(f"{self.settings}\n")
        t.append("\n")
        for i, (_, x) in enumerate(self.items):
            if i:
                t.append("  ")
            style = "bold reverse" if i == self.index else ""
            t.append(f"{x.title} {x.value}", style=style)
        t.append("\n\n← → (or i) other numbers · Esc closes", style="dim")
        return t


class ExplainScreen(ModalScreen[None]):
    """A number explained: what it is, its formula, the inputs; ←/→ the others."""

    DEFAULT_CSS = """
    ExplainScreen {
        align: center middle;
    }
    ExplainScreen > Vertical {
        width: 90%;
        max-width: 110;
        height: auto;
        max-height: 90%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    ExplainScreen #explain-body {
        height: auto;
    }
    """

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape,q", "close", "Close", id="explain.close"),
        Binding("right,l,tab,i,down,j", "step(1)", "Next number", id="explain.next"),
        Binding("left,h,shift+tab,up,k", "step(-1)", "Previous number", id="explain.prev"),
    ]

    def __init__(self, subject: Subject) -> None:
        super().__init__()
        self.subject = subject

    def compose(self) -> ComposeResult:
        with Vertical():
            yield ExplainBody(self.subject)

    @property
    def body(self) -> ExplainBody:
        return self.query_one(ExplainBody)

    def action_step(self, n: int) -> None:
        self.body.step(n)

    def action_close(self) -> None:
        self.dismiss(None)


# ----------------------------------------------------------------- palette
class ExplainCommands(Provider):
    """Command palette: "Explain: service level" … (of what has focus, like `i`)."""

    def _commands(self) -> Iterable[tuple[str, Callable[[], Any], str]]:
        app: Any = self.app
        for key, name in NUMBERS:
            yield f"Explain: {name}", lambda key=key: app.action_explain(key), "what it is, formula"

    async def discover(self) -> Hits:
        for name, cb, help_text in list(self._commands())[:1]:
            yield DiscoveryHit(Content(name), cb, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, cb, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), cb, text=name, help=help_text)


__all__ = [
    "NUMBERS",
    "ExplainBody",
    "ExplainCommands",
    "ExplainScreen",
    "Subject",
    "agent_items",
    "agent_subject",
    "interval_subject",
    "queue_items",
    "queue_subject",
    "subject_for",
    "totals_items",
    "totals_subject",
]
