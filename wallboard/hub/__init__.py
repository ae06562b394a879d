"""`wallboard hub`: one PBX connection served to many viewers.

HTTP (`/state`, `/metrics`, `/healthz`) and the viewer feed on one port,
tokens and scopes. Submodules are imported where they are needed: `serve`
and the token commands use `tokens` alone, without the server.
"""
