"""Every Textual internal the wallboard leans on, in one place.

Textual is pinned below 9 (pyproject) because of these; an upgrade checks
this module first. Nothing else imports a private Textual name.
"""

from __future__ import annotations

from textual._two_way_dict import TwoWayDict
from textual.widgets._data_table import Row as TableRow

__all__ = ["TableRow", "TwoWayDict"]
