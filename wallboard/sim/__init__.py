"""The embedded PortSIP PBX simulator (`wallboard sim`, `wallboard demo`).

Speaks the WSI dialects v12, v16 and v22 over a real WebSocket, serves the
v22 REST API beside it on the same port (aiohttp), and generates call-center
traffic on a virtual clock. Importing it never pulls in Textual.

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
    TENANT2_DOMAIN,
    TENANT2_ID,
    TENANT2_NAME,
    TENANT_ID,
    TENANT_NAME,
)
from wallboard.sim.rest import OAUTH_CLIENT_ID, RestFault
from wallboard.sim.server import OVERFLOW_CLOSE_CODE, OVERFLOW_REASON, SimConfig, Simulator

__all__ = [
    "ADMIN_USER",
    "DEFAULT_PASSWORD",
    "DOMAIN",
    "OAUTH_CLIENT_ID",
    "OVERFLOW_CLOSE_CODE",
    "OVERFLOW_REASON",
    "SYSADMIN_USER",
    "TENANT2_DOMAIN",
    "TENANT2_ID",
    "TENANT2_NAME",
    "TENANT_ID",
    "TENANT_NAME",
    "RestFault",
    "SimConfig",
    "Simulator",
]
