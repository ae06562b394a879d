"""wallboard: a terminal wallboard for PortSIP PBX call centers."""

__version__ = "0.1.0"
