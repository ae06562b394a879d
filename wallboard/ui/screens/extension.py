"""Extension / agent detail: presence, call status, the state in each queue, the day."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical

from wallboard.model.state import EXTENSIONS, QUEUES
from wallboard.ui.fmt import AGENT_STYLE, agent_label, dur, hms, pct
from wallboard.ui.panels import ContactsTable, Ctx, InfoPanel, PartyCallsTable
from wallboard.ui.screens.base import DetailScreen, kv
from wallboard.ui.tables.agents import day_figures
from wallboard.ui.text import safe_text


class ExtensionInfo(InfoPanel):
    """One extension/agent: identity, presence, call status, agent state per queue."""

    FLAGS = EXTENSIONS | QUEUES
    TICKS = True

    def __init__(self, ext_key: tuple[str, str]) -> None:
        super().__init__(classes="info")
        self.ext_key = ext_key

    def render_info(self, ctx: Ctx) -> Text:
        tenant, number = self.ext_key
        ext = ctx.state.extensions.get(self.ext_key)
        t = Text(end="")
        t.append(f"Extension {safe_text(number)}", style="bold")
        name = ctx.state.names.name(tenant, number)
        if name:
            t.append(f"  {safe_text(name, 60)}", style="bold")
        t.append("\n")
        if ext is not None:
            online = ext.is_online(ctx.now)
            kv(t, "online", "yes" if online else "no", "bold green" if online else "dim")
            kv(t, "call status", safe_text(ctx.derived.call_status(ext), 30) or "idle")
            pres = ext.presence or "—"
            if ext.presence_note:
                pres += f" ({ext.presence_note})"
            kv(t, "presence", safe_text(pres, 60))
            kv(t, "updated", hms(ext.updated))
            if tenant:
                kv(t, "tenant", safe_text(tenant, 40), "dim")
            if ext.stale:
                kv(t, "stale", "yes: not confirmed since the reconnect", "bold yellow")
        else:
            t.append("(no extension events seen, only queue membership)\n", style="dim")
        view = ctx.derived.agent(number)
        if view is not None:
            for qid in sorted(ctx.derived.members.get(number, ())):
                q = ctx.state.queues.get(qid)
                a = q.agents.get(number) if q is not None else None
                if q is None or a is None:
                    continue
                label = f"queue {safe_text(q.number or qid, 12)}"
                t.append(f"{label:>14}  ", style="dim")
                t.append(f"{agent_label(a.state):<11}", style=AGENT_STYLE.get(a.state, "bold"))
                t.append(f" for {dur(ctx.now - a.since)}  ")
                t.append(safe_text(q.name, 30), style="dim")
                t.append("\n")
        day = day_figures(ctx, tenant, number)
        if day:
            t.append(f"{'today':>14}  ", style="dim")
            for i, (label, value) in enumerate(
                (
                    ("answered", str(day["answered"])),
                    ("missed", str(day["missed"])),
                    ("AHT", dur(day["aht"])),
                    ("not ready", dur(day["not_ready_s"])),
                    ("occupancy", pct(day["occupancy"])),
                )
            ):
                if i:
                    t.append("   ")
                t.append(f"{label} ", style="dim")
                t.append(value, style="bold")
            t.append("\n")
        return t


class ExtensionScreen(DetailScreen):
    """Extension / agent detail: contacts (user agent, address, expiry), calls, queues."""

    def __init__(self, ext_key: tuple[str, str]) -> None:
        super().__init__()
        self.ext_key = ext_key

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield ExtensionInfo(self.ext_key)
        with Vertical(classes="detail-col"):
            yield ContactsTable(ext_key=self.ext_key, id="ext-contacts")
            yield PartyCallsTable(number=self.ext_key[1], id="ext-calls")
        yield from self.compose_bottom()


__all__ = ["ExtensionInfo", "ExtensionScreen"]
