"""`wallboard sim`: run the simulator as a standalone PBX (WSI, and REST on v22) until stopped."""

from __future__ import annotations

import asyncio
import signal
import ssl
import sys

from wallboard.errors import UsageError, WallboardError
from wallboard.sim.accounts import ADMIN_USER, DOMAIN, SYSADMIN_USER, TENANT_NAME
from wallboard.sim.server import SimConfig, Simulator


def tls_context(cert: str | None, key: str | None) -> ssl.SSLContext | None:
    """The server TLS context for `--tls-cert/--tls-key` (both or neither); UsageError if unusable."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise UsageError("--tls-cert and --tls-key go together")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(f"cannot load the TLS certificate/key: {exc}") from None
    return ctx


def banner(sim: Simulator) -> list[str]:
    """What `wallboard sim` prints on start: where it listens and how to log in."""
    cfg = sim.config
    pw = cfg.password
    first, last = sim.roster.extensions[0], sim.roster.extensions[-1]
    lines = [f"wallboard sim: listening on {sim.url} ({cfg.dialect})"]
    if cfg.dialect == "v12":
        lines.append(f"  tenant: --user {TENANT_NAME}, password: {pw}")
    else:
        lines.append(f"  tenant admin: --user {ADMIN_USER} --domain {DOMAIN}, password: {pw}")
    lines.append(
        f"  extensions {first}..{last}: --extension {first} --domain {DOMAIN}, password: {pw}"
    )
    if cfg.dialect == "v22":
        ids = ",".join(r.tenant_id for r in sim.directory.rosters)
        lines.append(
            f"  system admin: --user {SYSADMIN_USER} (no domain) --tenants {ids}, password: {pw}"
        )
        for roster in sim.directory.rosters[1:]:
            lines.append(
                f"  tenant {roster.tenant_name} ({roster.tenant_id}): --user {ADMIN_USER} "
                f"--domain {roster.domain}, extensions {roster.extensions[0]}.."
                f"{roster.extensions[-1]}"
            )
        lines.append(f"  REST API: {sim.rest_url} (same accounts)")
    queues = sim.roster.queues
    lines.append(
        f"  queues {queues[0]}..{queues[-1]}, supervisor extension {sim.roster.supervisor}; "
        f"seed {cfg.seed}, speed x{cfg.speed:g}, {sim.traffic.rate if sim.traffic else 0:g} calls/s"
    )
    lines.append("  Ctrl+C to stop")
    return lines


async def _serve(cfg: SimConfig) -> None:
    sim = Simulator(cfg)
    try:
        await sim.start()
    except OSError as exc:
        msg = f"cannot listen on {cfg.host}:{cfg.port}: {exc.strerror or exc}"
        raise WallboardError(msg) from None
    try:
        for line in banner(sim):
            print(line, flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):  # pragma: no cover (Windows)
                pass
        await stop.wait()
    finally:
        await sim.stop()


def run_sim(cfg: SimConfig) -> int:
    """Entry point of `wallboard sim`: serve until Ctrl+C / SIGTERM, then exit 0."""
    try:
        asyncio.run(_serve(cfg))
    except KeyboardInterrupt:  # pragma: no cover (signal handler normally wins)
        pass
    print("wallboard sim: stopped", file=sys.stderr, flush=True)
    return 0
