"""The screens pushed over the dashboard, one module per family.

Detail screens (`queue.py`, `extension.py`, `call.py`) share `base.py`;
`help.py` is the modal help, `wall.py` wall mode. The explanation screen
is `explainscreen.py`, the tenant picker is in `tenants.py`.
"""
