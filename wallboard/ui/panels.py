"""Every live panel by name (one import for the app, the screens and the tests).

The pieces live where they belong: the protocol and the refresh context in
`panel.py`, the table engine in `rowspanel.py` (on the virtual table,
`vtable.py`), each table's columns and records under `tables/`, the static
info panels in `infopanels.py`.
"""

from __future__ import annotations

from wallboard.ui.infopanels import CountersPanel, InfoPanel
from wallboard.ui.panel import Ctx, Panel, Registered
from wallboard.ui.rowspanel import PENDING_LIMIT, RowsPanel, level_style, nat, num
from wallboard.ui.tablerows import Column
from wallboard.ui.tables.agents import AgentsTable, QueueAgentsTable
from wallboard.ui.tables.calls import CallsTable, PartyCallsTable, RecentTable
from wallboard.ui.tables.eventlog import EventLog
from wallboard.ui.tables.queues import QueuesTable, WaitingTable
from wallboard.ui.tables.system import ContactsTable, ExtensionsTable, TrunksTable

__all__ = [
    "PENDING_LIMIT",
    "AgentsTable",
    "CallsTable",
    "Column",
    "ContactsTable",
    "CountersPanel",
    "Ctx",
    "EventLog",
    "ExtensionsTable",
    "InfoPanel",
    "Panel",
    "PartyCallsTable",
    "QueueAgentsTable",
    "QueuesTable",
    "RecentTable",
    "Registered",
    "RowsPanel",
    "TrunksTable",
    "WaitingTable",
    "level_style",
    "nat",
    "num",
]
