"""How a benchmark hands its options to a process of its own: one JSON argument.

The parent holds its options as a frozen dataclass (`cli` parsed the command
line); its children are internal, spawned by the parent alone, so a second
command-line parser would only be a second place for the two to drift apart.
`child_argv` writes every field; `child_options` wants exactly those fields
back, of the declared types, or stops with one line and exit status 2: a
parent and child out of step say so at once instead of measuring defaults.

    python -m wallboard.bench.ui storm '{"agents": 50, ...}'
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from wallboard.errors import EXIT_USAGE

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")
SCALARS: tuple[type, ...] = (bool, int, float, str)


def child_argv(module: str, opts: DataclassInstance, *extra: str) -> list[str]:
    """`python -m MODULE EXTRA... JSON`, checked here so a child never refuses what we send."""
    text = json.dumps(dataclasses.asdict(opts))
    decode(type(opts), text)
    return [sys.executable, "-m", module, *extra, text]


def child_role(argv: Sequence[str], roles: Sequence[str]) -> tuple[str, list[str]]:
    """The first argument, one of `roles` (which part to run), and the rest."""
    if not argv or argv[0] not in roles:
        got = repr(argv[0]) if argv else "nothing"
        _refuse(f"the first argument is one of {', '.join(roles)}, not {got}")
    return argv[0], list(argv[1:])


def child_options(cls: type[T], argv: Sequence[str]) -> T:
    """The options `child_argv` wrote: `argv` is that one JSON argument."""
    if len(argv) != 1:
        _refuse(f"expected one JSON argument of {cls.__name__}, got {len(argv)} arguments")
    try:
        return decode(cls, argv[0])
    except ValueError as exc:
        _refuse(f"bad {cls.__name__}: {exc}")


def decode(cls: type[T], text: str) -> T:
    """Every field of `cls`, no other, each of its declared type (ValueError otherwise)."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise ValueError(f"not a JSON object: {text[:60]!r}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(raw) - set(names))
    missing = [n for n in names if n not in raw]
    if unknown or missing:
        parts = [f"unknown {', '.join(unknown)}" if unknown else ""]
        parts.append(f"missing {', '.join(missing)}" if missing else "")
        raise ValueError("; ".join(p for p in parts if p))
    return cls(**{n: _typed(n, hints[n], raw[n]) for n in names})


def _typed(name: str, hint: Any, value: Any) -> Any:
    """`value` as `hint` wants it (an int where a float is due; a list for a tuple)."""
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    for t in typing.get_args(hint) if union else (hint,):
        if t is type(None) and value is None:
            return None
        args = typing.get_args(t)
        if typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis:
            if isinstance(value, list):
                return tuple(_typed(name, args[0], v) for v in value)
            continue
        if t is float and type(value) in (int, float):
            return float(value)
        if t in SCALARS and type(value) is t:
            return value
    raise ValueError(f"{name} is {value!r}, not {getattr(hint, '__name__', hint)}")


def _refuse(reason: str) -> typing.NoReturn:
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    prog = f"python -m {spec.name}" if spec is not None else "a benchmark child"
    print(f"{prog}: {reason}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)
