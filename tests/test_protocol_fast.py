"""The fast paths give exactly what the tolerant handlers give, and the AOR memo stays bounded.

`tolerant.py` is the reference reading of every event; `fast.py` reads the
common well-typed shapes in one pass and hands anything else back. If a fast
path dropped, mis-typed or mis-mapped a field, the comparisons here fail:
for every documented example, for full frames where every field the event
classes carry is set, for the benchmark streams, and for frames whose fields
drift in type and spelling.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import tracemalloc
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, example
from fuzz_frames import structured
from wallboard.bench.stream import MIXES, StreamGenerator
from wallboard.protocol import coerce, parse
from wallboard.protocol.events import CALL_KINDS
from wallboard.protocol.fast import FAST
from wallboard.protocol.parse import parse_object

INCOMING = sorted(
    p.relative_to(EXAMPLES).with_suffix("").as_posix()
    for p in EXAMPLES.glob("*/*.json")
    if not p.name.startswith("cmd_")
)


def tolerant(d: Any) -> Any:
    """The reference reading (no fast path)."""
    if type(d) is not dict:
        return parse_object(d)
    return parse._tolerant(d, d.get("event_type"))


def fast(d: dict[str, Any]) -> Any:
    """The fast path alone: None when it hands the frame back."""
    return FAST[d["event_type"]](d, d["event_type"])


def test_every_frequent_event_type_has_a_fast_path() -> None:
    frequent = {
        "call_cdr",
        "queue_caller_status",
        "queue_agent_status",
        "queue_status",
        "extension_call",
        "extension_presence",
        "extension_agent_status",
        "extension_status",
    }
    assert set(FAST) == frequent | CALL_KINDS


@pytest.mark.parametrize("name", INCOMING)
def test_documented_examples_read_the_same_either_way(name: str) -> None:
    d = example(name)
    assert parse_object(d) == tolerant(d)
    if d.get("event_type") in FAST:
        got = fast(d)
        assert got is None or got == tolerant(d)


# The documented shapes the fast paths must take on themselves (not hand back):
# the early-v16 ones without `presence` are the tolerant path's job.
ON_FAST_PATH = [
    n
    for n in INCOMING
    if example(n).get("event_type") in FAST
    and n not in ("v16/evt_extension_presence_early", "v16/evt_extension_status_early")
]


@pytest.mark.parametrize("name", ON_FAST_PATH)
def test_documented_shapes_take_the_fast_path(name: str) -> None:
    d = example(name)
    assert fast(d) is not None, name


# ------------------------------------------------------- every field filled in
def _call(kind: str) -> dict[str, Any]:
    return {
        "event_type": kind,
        "session_id": "494535522404798464",
        "tenant_id": "236047118140313600",
        "caller": "sip:102@sipiw.com",
        "callee": "sip:103@sipiw.com;user=phone",
        "caller_display_name": "Ana Ruiz",
        "callee_display_name": "Sales",
        "direction": "in",
        "call_target": "<sip:104@sipiw.com>",
        "aor": "sip:102@sipiw.com",
        "peer_aor": "sips:103@sipiw.com",
        "fail_code": 486,
        "did": "18800606",
        "time": "1632671272",
    }


def _full_frames() -> list[dict[str, Any]]:
    frames = [_call(k) for k in sorted(CALL_KINDS)]
    cdr = example("v16/evt_call_cdr")
    cdr["time"] = "1725845670"
    frames.append(cdr)
    qcs = example("v16/evt_queue_caller_status")
    qcs["updated_callers"][0]["caller_name"] = "Thomas Young"
    qcs["time"] = "1676206250"
    frames.append(qcs)
    qas = example("v16/evt_queue_agent_status")
    qas["time"] = "1676206250"
    frames.append(qas)
    qs = example("v16/evt_queue_status")
    qs["time"] = "1676206250"
    qs["waiting_list"][0]["reason"] = "enqueue"  # the class has it; pictures rarely do
    frames.append(qs)
    frames.append(example("v16/evt_extension_call"))
    frames.append(example("v16/evt_extension_presence"))
    frames.append(example("v16/evt_extension_agent_status"))
    status = example("v16/evt_extension_status")
    for entry in status["status"]:
        entry["presence_note"] = "Back soon"
    status["time"] = "1704186781"
    frames.append(status)
    return frames


def _empty_fields(obj: Any, where: str = "") -> list[str]:
    """Fields left empty (None, "", []) anywhere in a parsed event."""
    out = []
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if v is None or v == "" or v == []:
            out.append(f"{where}{f.name}")
        elif isinstance(v, list):
            for item in v:
                if dataclasses.is_dataclass(item):
                    out += _empty_fields(item, f"{where}{f.name}[].")
    return out


@pytest.mark.parametrize("d", _full_frames(), ids=lambda d: d["event_type"])
def test_a_full_frame_fills_every_field_on_the_fast_path(d: dict[str, Any]) -> None:
    """With every field set on the wire, none may come out empty, and both readers agree."""
    got = fast(d)
    assert got is not None, "a clean, full frame must not be handed back"
    assert got == tolerant(d)
    # `call_status` "ON_CALL" etc. are values; an empty one here is a dropped field.
    assert _empty_fields(got) == [], d["event_type"]


def test_the_comparison_notices_a_dropped_field() -> None:
    """The check above would fail for a fast path that forgot one field."""
    d = _call("call_start")
    got = fast(d)
    assert got == tolerant(d)
    assert dataclasses.replace(got, did="") != tolerant(d)
    assert _empty_fields(dataclasses.replace(got, callee_name="")) == ["callee_name"]


# ------------------------------------------------------------ benchmark streams
@pytest.mark.parametrize("mix", MIXES)
def test_benchmark_streams_read_the_same_and_mostly_fast(mix: str) -> None:
    handed_back = 0
    n = 0
    for _, frame in StreamGenerator(agents=120, queues=6, mix=mix).frames(4000):
        d = json.loads(frame)
        want = tolerant(d)
        assert parse_object(d) == want, frame
        if d["event_type"] in FAST:
            n += 1
            got = fast(d)
            if got is None:
                handed_back += 1
            else:
                assert got == want, frame
    assert n > 3000 and handed_back == 0


# ------------------------------------------------------------------- drift
# What the same field looks like on another PBX version, or on a broken one.
DRIFT: list[Any] = [
    None,
    "",
    " ",
    0,
    1,
    -1,
    1632671272,
    2**70,
    1.5,
    float("inf"),
    float("nan"),
    True,
    False,
    [],
    {},
    [1],
    " 1632671272 ",
    "1e3",
    "1_000",
    "١٢٣",
    "12.5",
    "nan",
    "-inf",
    "9" * 20,
    "sip:102@x",
    "SIP:102@x",
    "<sip:103@x>;tag=1",
    "sips:104@x:5061",
    "sip:@x",
    "105;user=phone",
    "On Call",
    "ON_ACLL",
    "ringing",
    " READY ",
    "Wrap Up",
    "Logout",
    "In2Out",
    " INBOUND",
    "DND",
    "Agent_Answered",
    " callback ",
    "Normal",
]
# Other spellings of the same field (PORTSIP-WSI.md §3).
ALIASES = {
    "agent_extension_number": "extension",
    "extension": "extension_number",
    "state": "status",
    "status": "state",
    "queue_number": "queue_id",
    "time": "timestamp",
    "timestamp": "time",
    "received_from": "public_address",
}


def _variants(value: Any) -> list[Any]:
    out = list(DRIFT)
    if isinstance(value, str):
        out += [value.upper(), value.lower(), f" {value} ", f"sip:{value}@pbx"]
        if value.isdigit():
            out.append(int(value))
    return out


def _representatives() -> list[dict[str, Any]]:
    """One clean frame per event type and shape: examples, full frames, stream frames."""
    seen: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
    frames = [example(n) for n in INCOMING] + _full_frames()
    for mix in MIXES:
        gen = StreamGenerator(agents=60, queues=4, mix=mix)
        frames += [json.loads(f) for _, f in itertools.islice(gen.frames(1500), 1500)]
    for d in frames:
        if d.get("event_type") in FAST:
            seen.setdefault((d["event_type"], tuple(sorted(d))), d)
    return list(seen.values())


def _mutations(d: dict[str, Any]) -> Any:
    """Every frame one change away: a field (or a list entry's field) deleted,
    renamed to its other spelling, or holding a drifted value."""
    for key in [k for k in d if k != "event_type"]:
        value = d[key]
        if isinstance(value, list) and value and all(isinstance(e, dict) for e in value):
            for ekey in list(value[0]):
                for change in ("del", "alias", *range(len(_variants(value[0][ekey])))):
                    m = json.loads(json.dumps(d))
                    entry = m[key][0]
                    if change == "del":
                        del entry[ekey]
                    elif change == "alias":
                        if ekey not in ALIASES:
                            continue
                        entry[ALIASES[ekey]] = entry.pop(ekey)
                    else:
                        entry[ekey] = _variants(value[0][ekey])[change]
                    yield m
        for change in ("del", "alias", *range(len(_variants(value)))):
            m = json.loads(json.dumps(d))
            if change == "del":
                del m[key]
            elif change == "alias":
                if key not in ALIASES:
                    continue
                m[ALIASES[key]] = m.pop(key)
            else:
                m[key] = _variants(value)[change]
            yield m


def _same(a: Any, b: Any) -> bool:
    return repr(a) == repr(b)  # NaN-safe, and strict about int vs float


@pytest.mark.parametrize("d", _representatives(), ids=lambda d: d["event_type"])
def test_every_one_field_drift_reads_the_same_either_way(d: dict[str, Any]) -> None:
    n = 0
    for m in _mutations(d):
        n += 1
        got, want = parse_object(m), tolerant(m)
        assert _same(got, want), (m, got, want)
    assert n > 20


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structured())
def test_fuzzed_frames_read_the_same_either_way(d: dict[str, Any]) -> None:
    assert _same(parse_object(d), tolerant(d))


# ------------------------------------------------------------------ AOR memo
@given(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(["sip:", "sips:", "<sip:", "SIP:", "<"]).flatmap(
            lambda p: st.text(max_size=30).map(lambda t: p + t)
        ),
        st.integers(),
        st.none(),
    )
)
def test_memoised_split_is_the_plain_split(value: Any) -> None:
    assert coerce.sip_user_cached(value) == coerce.sip_user(value)
    assert coerce.sip_user_cached(value) == coerce.sip_user(value)  # now from the memo


def test_the_aor_memo_is_bounded_in_entries() -> None:
    coerce.clear_aor_cache()
    limit = coerce.AOR_CACHE_SIZE
    for i in range(3 * limit):
        assert coerce.sip_user_cached(f"sip:{i}@pbx.example") == str(i)
        assert coerce.aor_cache_len() <= limit
    assert coerce.aor_cache_len() > limit // 2  # it does remember
    # Addresses still in use come back from the memo after any eviction.
    assert coerce.sip_user_cached(f"sip:{3 * limit - 1}@pbx.example") == str(3 * limit - 1)
    assert coerce.aor_lookup(f"sip:{3 * limit - 1}@pbx.example") == str(3 * limit - 1)


def test_long_addresses_are_split_but_not_remembered() -> None:
    coerce.clear_aor_cache()
    huge = "sip:" + "7" * 100_000 + "@x"
    assert coerce.sip_user_cached(huge) == "7" * 100_000
    assert coerce.aor_cache_len() == 0
    assert coerce.aor_lookup(huge) is None


def test_hostile_unique_addresses_cannot_grow_memory() -> None:
    """A stream of distinct, maximal-length addresses: memory stays at the memo's bound."""
    coerce.clear_aor_cache()
    pad = "x" * (coerce.AOR_CACHE_MAX_KEY - 30)
    tracemalloc.start()
    try:
        for i in range(4 * coerce.AOR_CACHE_SIZE):
            coerce.sip_user_cached(f"sip:{i}{pad}@h")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        coerce.clear_aor_cache()
    per_entry = 2 * (coerce.AOR_CACHE_MAX_KEY + 60) + 100  # key, value, dict slot
    assert peak < coerce.AOR_CACHE_SIZE * per_entry, peak
