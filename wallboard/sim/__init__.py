"""The embedded PortSIP PBX simulator (`wallboard sim`, `wallboard demo`).

Speaks the WSI dialects v12, v16 and v22 over a real WebSocket and generates
call-center traffic on a virtual clock. Uses only the standard library and
websockets: importing it never pulls in Textual.

    from wallboard.sim import Simulator, SimConfig

    async with Simulator(SimConfig(dialect="v16", port=0)) as sim:
        print(sim.url)
"""

from __future__ import annotations

from wallboard.sim.accounts import (
    ADMIN_USER,
    DEFAULT_PASSWORD,
    DOMAIN,
    SYSADMIN_USER,
    TENANT_ID,
    TENANT_NAME,
)
from wallboard.sim.server import OVERFLOW_CLOSE_CODE, OVERFLOW_REASON, SimConfig, Simulator

__all__ = [
    "ADMIN_USER",
    "DEFAULT_PASSWORD",
    "DOMAIN",
    "OVERFLOW_CLOSE_CODE",
    "OVERFLOW_REASON",
    "SYSADMIN_USER",
    "TENANT_ID",
    "TENANT_NAME",
    "SimConfig",
    "Simulator",
]
