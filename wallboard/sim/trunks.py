"""Trunks: the lines calls to and from the outside world go over.

Each trunk goes down and comes back up on its own; the last one is flaky (it
starts down and flaps within minutes), so trunk changes show up early. A call
that needs a trunk takes any connected one, and fails when none is.
"""

from __future__ import annotations

from wallboard.sim.entities import Trunk
from wallboard.sim.state import TrafficState


class Trunks(TrafficState):
    """Trunks going down and up; the pick of a connected one for a call."""

    def _trunk_toggle(self, trunk: Trunk) -> None:
        trunk.connected = not trunk.connected
        trunk.since = self.now
        self.emit("trunk", trunk=trunk)
        rng = self.rng
        if trunk.connected:
            up = rng.uniform(20, 120) if trunk.flaky else rng.uniform(300, 1800)
            self.after(up, self._trunk_toggle, trunk)
        else:
            self.after(rng.uniform(5, 30), self._trunk_toggle, trunk)

    def _connected_trunk(self) -> Trunk | None:
        up = [t for t in self.trunks if t.connected]
        return self.rng.choice(up) if up else None
