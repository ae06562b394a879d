"""Agents: the state each queue member is in, and what moves it.

An agent's state is derived, never set: from whether it is logged in, what it
chose (READY / NOT_READY), what it is doing (a queue call, another call,
wrap-up) and whether a device is registered. Every change of those facts calls
`_refresh_agent`, which tells the sink only when the derived state really
changed, and lets the queue offer callers to an agent that became ready.
"""

from __future__ import annotations

from wallboard.sim.entities import Ext, Queue
from wallboard.sim.state import TrafficState


class Agents(TrafficState):
    """Agent state, breaks, logins and wrap-up; who is free for a call."""

    @staticmethod
    def _agent_state(ext: Ext) -> str:
        if not ext.logged_in:
            return "LOGGED_OUT"
        if ext.activity == "queue":
            return "QUEUE_CALL"
        if ext.activity == "wrap":
            return "WRAP_UP"
        if ext.activity == "other":
            return "OTHER_CALL"
        if not ext.online:
            return "OFFLINE"
        return ext.base

    def _refresh_agent(self, ext: Ext) -> None:
        state = self._agent_state(ext)
        if state == ext.agent_state:
            return
        prev = ext.agent_state
        ext.agent_state = state
        ext.agent_since = self.now
        assert ext.queue is not None
        self.emit("agent", ext=ext, queue=ext.queue, state=state, prev=prev)
        self._queue_changed(ext.queue)
        if state == "READY":
            self.after(0, self._dispatch, ext.queue)

    def _set_call_status(self, ext: Ext, status: str) -> None:
        if ext.call_status != status:
            ext.call_status = status
            self.emit("ext_call", ext=ext)

    def _agent_break(self) -> None:
        ext = self.rng.choice(self.ext_list)
        if ext.base == "READY" and ext.logged_in:
            ext.base = "NOT_READY"
            ext.brk_token += 1
            self.after(self.rng.uniform(30, 180), self._break_end, ext, ext.brk_token)
            self._refresh_agent(ext)

    def _break_end(self, ext: Ext, token: int) -> None:
        if ext.brk_token == token and ext.base == "NOT_READY":
            ext.base = "READY"
            self._refresh_agent(ext)

    def _agent_logout(self) -> None:
        ext = self.rng.choice(self.ext_list)
        if ext.logged_in and ext.call is None and not ext.activity:
            ext.logged_in = False
            self.after(self.rng.uniform(60, 400), self._agent_login, ext)
            self._refresh_agent(ext)

    def _agent_login(self, ext: Ext) -> None:
        if not ext.logged_in:
            ext.logged_in = True
            self._refresh_agent(ext)

    def _free(self, ext: Ext) -> bool:
        return ext.online and ext.call is None and not ext.activity

    def _pick_free_ext(self, exclude: Ext | None = None) -> Ext | None:
        for _ in range(8):
            ext = self.rng.choice(self.ext_list)
            if ext is not exclude and self._free(ext):
                return ext
        return None

    def _release(self, ext: Ext, *, wrap: bool) -> None:
        if wrap:
            ext.activity = "wrap"
            ext.wrap_token += 1
            self.after(self.rng.uniform(5, 25), self._wrap_end, ext, ext.wrap_token)
        else:
            ext.activity = ""
        if ext.queue is not None:
            self._refresh_agent(ext)

    def _wrap_end(self, ext: Ext, token: int) -> None:
        if ext.wrap_token == token and ext.activity == "wrap":
            ext.activity = ""
            self._refresh_agent(ext)

    def _dispatch(self, queue: Queue) -> None:
        """Offer `queue`'s waiting callers to its idle agents.

        The queue layer (sim/queues.py) does it; it is declared here, below the
        call layer, because agents becoming ready and rings ending prompt it.
        """
        raise NotImplementedError
