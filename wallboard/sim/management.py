"""Management events: extensions and queues being updated, created and destroyed.

Rendered only in v22 (its extension_/queue_management_events topics), but
generated in every dialect (the traffic knows none), so the random stream, and
with it every other happening, does not depend on the dialect. The REST API
lists the extensions created here until they are destroyed.
"""

from __future__ import annotations

from typing import Any

from wallboard.sim.state import TrafficState


class Management(TrafficState):
    """The v22 management events, one every 2.5 minutes on average."""

    def _management(self) -> None:
        """Rare v22 management events; created entities never carry traffic."""
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            ext = rng.choice(self.ext_list)
            self.emit("mgmt", event=self._ext_mgmt("extension_updated", ext.number, ext.name))
        elif r < 0.6:
            q = rng.choice(self.queue_list)
            self.emit(
                "mgmt",
                event={
                    "event_type": "queue_updated",
                    "queue_number": q.number,
                    "queue_id": q.queue_id,
                    "queue_name": q.name,
                },
            )
        elif r < 0.8:
            self._mgmt_seq += 1
            number = str(100 + len(self.ext_list) + self._mgmt_seq)
            self.created_exts[number] = "New Hire"
            self.emit("mgmt", event=self._ext_mgmt("extension_created", number, "New Hire"))
            self.after(rng.uniform(30, 300), self._mgmt_destroy_ext, number)
        else:
            self._mgmt_seq += 1
            number = str(8800 + self._mgmt_seq)
            self.emit("mgmt", event={"event_type": "queue_created", "queue_number": number})
            self.after(rng.uniform(30, 300), self._mgmt_destroy_queue, number)

    def _ext_mgmt(self, event_type: str, number: str, name: str) -> dict[str, Any]:
        first = name.split(" ")[0].lower()
        return {
            "event_type": event_type,
            "extension_number": number,
            "disp_name": name,
            "email": f"{first}.{number}@{self.roster.domain}",
            "extension_id": str(int(self.roster.tenant_id) + 1_000_000 + int(number)),
            "username": f"{first}{number}",
            "enabled": True,
        }

    def _mgmt_destroy_ext(self, number: str) -> None:
        self.created_exts.pop(number, None)
        self.emit(
            "mgmt",
            event={
                "event_type": "extension_destroyed",
                "extension_number": number,
                "extension_id": str(int(self.roster.tenant_id) + 1_000_000 + int(number)),
            },
        )

    def _mgmt_destroy_queue(self, number: str) -> None:
        # "queue_destroy" is the documented spelling (PORTSIP-WSI.md §3, v22).
        self.emit("mgmt", event={"event_type": "queue_destroy", "queue_number": number})
