"""Each live table's columns, records and cells, one module per subject.

The engine they share is `wallboard.ui.rowspanel.RowsPanel`; every number
they show comes from the model (`wallboard.model.overview`, the state's
agent and call reads): these modules only pick values and format them.
"""
