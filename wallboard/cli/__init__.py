"""The command line: argparse lives here and nowhere below.

`main.py` parses; each command's runner (`run_*.py`) takes typed options and
wires the layers below. Runners are imported lazily, so headless commands
never pay for importing Textual and `--help` stays instant.
"""

from wallboard.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
