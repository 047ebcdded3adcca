"""Crash containment: measure implementations in a child process, so a peer that faults (an illegal memory access
poisons the whole CUDA context) or hangs costs one point, not the run.

The parent hands a child the list of work units ``(N, K, M, impl)``; the child writes one JSON line when it starts a
unit and one when it finishes it. If the child dies or goes silent, the unit it had started is recorded as failed
(with the exit code or "timeout") and a fresh child takes the units still open.
"""
from __future__ import annotations

import importlib
import json
import multiprocessing
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

Unit = Tuple[int, int, int, str]  # (N, K, M, impl)


def not_timed(n: int, k: int, m: int, impl: str, reason: str, **known) -> Dict:
    """The record of a unit that was not timed (unavailable, crashed, hung, over its error guard) and why."""
    return {"N": n, "K": k, "M": m, "impl": impl, "median_us": None, "p10_us": None, "p90_us": None, "rel_err": None,
            "error": reason, **known}


def _resolve(target: str) -> Callable:
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


def _child(target: str, units: List[Unit], journal: str, options: Dict) -> None:
    _resolve(target)(units, journal, options)


def _journal_lines(journal: Path) -> List[Dict]:
    """The journal's complete lines (a line still being written by the child is left for the next read)."""
    text = journal.read_text()
    return [json.loads(line) for line in text[:text.rfind("\n") + 1].splitlines() if line.strip()]


def run_contained(units: Sequence[Unit], options: Dict, target: str = "fp8blk.bench.harness:measure_units",
                  silence_timeout_s: float = 300.0, startup_timeout_s: float = 300.0, log=print,
                  on_record: Optional[Callable[[Dict], None]] = None) -> List[Dict]:
    """Runs ``target(units, journal_path, options)`` in spawned children until every unit has a record.

    ``target`` appends ``{"start": unit}`` before a unit and the unit's record (with ``N, K, M, impl``) after it.
    Returns the records in the order written, plus one failure record (``median_us`` None, ``error``) per unit
    whose child died or stayed silent for ``silence_timeout_s`` (``startup_timeout_s`` before its first line: a
    child imports torch and initializes CUDA first). ``on_record`` is called with each record as soon as the parent
    sees it (polled every 0.5 s while the child runs), so a caller can keep a checkpoint of a run that may be cut short.
    """
    open_units = [tuple(u) for u in units]
    records: List[Dict] = []
    context = multiprocessing.get_context("spawn")
    while open_units:
        with tempfile.TemporaryDirectory() as scratch:
            journal = Path(scratch) / "journal.jsonl"
            journal.touch()
            child = context.Process(target=_child, args=(target, open_units, str(journal), options), daemon=True)
            child.start()
            seen, last_change, killed = 0, time.monotonic(), False
            delivered = 0  # journal lines already handed to on_record
            while child.is_alive():
                child.join(0.5)
                size = journal.stat().st_size
                if size != seen:
                    seen, last_change = size, time.monotonic()
                    if on_record is not None:
                        lines = _journal_lines(journal)
                        for line in lines[delivered:]:
                            if "start" not in line:
                                on_record(line)
                        delivered = len(lines)
                elif time.monotonic() - last_change > (silence_timeout_s if seen else max(silence_timeout_s,
                                                                                          startup_timeout_s)):
                    child.kill()
                    child.join()
                    killed = True
                    break
            lines = _journal_lines(journal)
        in_flight = None
        for index, line in enumerate(lines):
            if "start" in line:
                in_flight = tuple(line["start"])
            else:
                records.append(line)
                if on_record is not None and index >= delivered:
                    on_record(line)
                done = (line["N"], line["K"], line["M"], line["impl"])
                open_units.remove(done)
                in_flight = None if in_flight == done else in_flight
        if in_flight is not None:  # the child died (or hung) inside this unit
            reason = (f"timeout (no progress for {silence_timeout_s:.0f} s)" if killed
                      else f"process died (exit code {child.exitcode})")
            n, k, m, impl = in_flight
            log(f"\n{impl} N={n} K={k} M={m}: {reason}; recorded as failed, continuing in a new process")
            failed = [not_timed(n, k, m, impl, reason)]
            open_units.remove(in_flight)
        elif open_units and child.exitcode != 0:  # died between units: nothing to blame, but do not loop forever
            reason = f"process died (exit code {child.exitcode}) before starting"
            failed = [not_timed(n, k, m, impl, reason) for n, k, m, impl in open_units]
            open_units = []
        else:
            failed = []
        records += failed
        if on_record is not None:
            for record in failed:
                on_record(record)
    return records
