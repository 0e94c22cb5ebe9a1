"""What every benchmark shares: a description of the machine it ran on, and writing its section
of docs/benchmarks.md between its own start and end markers (other sections stay as they are)."""
from __future__ import annotations

import os
import platform
from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def cpu_model() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")),
                platform.processor() or "unknown CPU")


def memory_gib() -> int:
    lines = Path("/proc/meminfo").read_text().splitlines()
    kib = next((int(line.split()[1]) for line in lines if line.startswith("MemTotal")), 0)
    return round(kib / 1024 / 1024)


def machine() -> str:
    uname = platform.uname()
    return (f"`{uname.system} {uname.release} {uname.machine}`, {os.cpu_count()} vCPU "
            f"({cpu_model()}), {memory_gib()} GiB RAM, Python {platform.python_version()}; "
            f"1-min load average at start {os.getloadavg()[0]:.1f}")


def write_section(section: str, start: str, end: str) -> Path:
    """`section` starts with `start` and ends with `end`; it replaces the old one or is appended."""
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    BENCHMARKS_MD.write_text(text)
    return BENCHMARKS_MD
