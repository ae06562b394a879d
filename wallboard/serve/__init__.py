"""`wallboard serve`: the wallboard in web browsers (TV screens), one app process per tab.

Built on textual-serve (see server.py for what is reused and what is ours).
Importing this package never loads Textual: only each tab's app process does.
"""
