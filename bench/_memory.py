"""Measure the memory one call adds to a process, on Linux.

"Memory added" is the peak resident set size during the call minus the resident set size
just before it. The peak comes from ``VmHWM`` in ``/proc/self/status``, reset just before
the call by writing ``5`` to ``/proc/self/clear_refs`` (Linux >= 4.0), so that the peak of
whatever ran earlier (loading the corpus, say) does not count. Where that reset does not
work, a background thread samples ``VmRSS`` every millisecond instead; it can miss a peak
shorter than that, and a call that holds the GIL delays it (the switch interval is lowered
to 1 ms while it runs).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import os
import re
import subprocess
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

_KIB = 1024
_STATUS = "/proc/self/status"
_CLEAR_REFS = "/proc/self/clear_refs"


def read_status_kib(*fields: str) -> Dict[str, int]:
    """The named fields of /proc/self/status (VmRSS, VmHWM, ...) in KiB."""
    with open(_STATUS, encoding="ascii") as f:
        text = f.read()
    out = {}
    for name in fields:
        m = re.search(rf"^{name}:\s+(\d+)\s+kB", text, re.MULTILINE)
        if m is None:
            raise RuntimeError(f"{_STATUS} has no {name} field")
        out[name] = int(m.group(1))
    return out


def rss_bytes() -> int:
    """Current resident set size of this process, in bytes."""
    return read_status_kib("VmRSS")["VmRSS"] * _KIB


def peak_bytes() -> int:
    """Peak resident set size of this process (VmHWM) since start or the last reset."""
    return read_status_kib("VmHWM")["VmHWM"] * _KIB


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS; True when the kernel did it.

    Checked rather than assumed: after the write, VmHWM must be within 1 MiB of VmRSS.
    """
    try:
        with open(_CLEAR_REFS, "w", encoding="ascii") as f:
            f.write("5")
    except OSError:
        return False
    st = read_status_kib("VmRSS", "VmHWM")
    return st["VmHWM"] - st["VmRSS"] < 1024


def trim_heap() -> None:
    """Collect garbage and hand free heap memory back to the OS (glibc malloc_trim)."""
    gc.collect()
    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


class RssSampler:
    """Background thread keeping the largest VmRSS seen, sampled every `interval` s."""

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._old_switch = sys.getswitchinterval()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(self.interval)

    def __enter__(self) -> "RssSampler":
        self.peak = rss_bytes()
        sys.setswitchinterval(self.interval)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        sys.setswitchinterval(self._old_switch)
        self.peak = max(self.peak, rss_bytes())


def measure_call(fn: Callable[[], Any], force_sampler: bool = False) -> Tuple[Any, Dict[str, Any]]:
    """Call fn() once; return (its result, memory figures in bytes).

    Figures: ``rss_before``, ``peak`` (peak RSS during the call), ``added`` (peak minus
    rss_before), ``rss_after`` (with the result still alive), ``method`` (``clear_refs``
    or ``sampler``).
    """
    trim_heap()
    before = rss_bytes()
    method = "clear_refs"
    if not force_sampler and reset_peak():
        result = fn()
        peak = peak_bytes()
    else:
        method = "sampler"
        with RssSampler() as sampler:
            result = fn()
        peak = sampler.peak
    after = rss_bytes()
    figures: Dict[str, Optional[Any]] = {
        "rss_before": before,
        "peak": peak,
        "added": peak - before,
        "rss_after": after,
        "method": method,
    }
    return result, figures


_RESULT = "MEMORY-RESULT "


def report_from_child(figures: Dict[str, Any]) -> None:
    """In a measuring child process: hand the figures to the parent (one line on stdout)."""
    print(_RESULT + json.dumps(figures), flush=True)


def run_child(cmd: List[str]) -> Dict[str, Any]:
    """Runs a measuring child process and returns its figures, or {"error": ...}."""
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    for line in proc.stdout.splitlines():
        if line.startswith(_RESULT):
            return json.loads(line[len(_RESULT):])
    return {"error": f"child exited {proc.returncode}: "
                     f"{(proc.stderr or proc.stdout).strip()[-500:]}"}
