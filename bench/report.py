"""Result rows, the issue's bars with PASS/MISS, the console table and bench/RESULTS.md."""
import os
import platform
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata


@dataclass
class Row:
    section: str
    name: str
    figures: str
    note: str = ""


@dataclass
class Bar:
    text: str                # the bar as the issue states it
    value: float | None      # measured; None when the section did not run
    limit: float
    higher_is_better: bool = False
    unit: str = ""

    @property
    def verdict(self):
        if self.value is None:
            return "n/a"
        ok = self.value >= self.limit if self.higher_is_better else self.value <= self.limit
        return "PASS" if ok else "MISS"

    @property
    def measured(self):
        return "not measured" if self.value is None else f"{self.value:,.2f}{self.unit}"


@dataclass
class Results:
    rows: list = field(default_factory=list)
    bars: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def add(self, section, name, figures, note=""):
        self.rows.append(Row(section, name, figures, note))


def fmt_ms(sample, *qs):
    return " · ".join(f"p{q} {sample.ms(q):.3f} ms" for q in qs) + f" (n={sample.n})"


# ---------------------------------------------------------------- environment

def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import psutil
    return {
        "CPU": f"{cpu}, {os.cpu_count()} logical cores",
        "RAM": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": platform.platform(),
        "Python": sys.version.split()[0],
    }


def versions():
    found = {}
    for name in ("tensorflow-cpu", "tensorflow", "keras", "gradio", "gradio_client", "numpy", "pillow",
                 "uvicorn", "uvloop", "httptools", "ai-edge-litert"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def load_average():
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


# ---------------------------------------------------------------- output

def _table(headers, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(headers), line("-" * w for w in widths), *map(line, rows)])


def console(results):
    out = []
    section = None
    for row in results.rows:
        if row.section != section:
            section = row.section
            out.append(f"\n== {section}")
        out.append(f"  {row.name:<50} {row.figures}" + (f"   [{row.note}]" if row.note else ""))
    out.append("\n== Bars")
    out.append(_table(["", "bar", "measured"], [(b.verdict, b.text, b.measured) for b in results.bars]))
    out.extend(f"note: {n}" for n in results.notes)
    return "\n".join(out)


def markdown(results, context):
    md_row = lambda cells: "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
    out = ["# Benchmark results", "",
           f"Command: `{context['command']}`  ", f"Date: {context['date']}  ",
           f"Duration: {context['duration']:.0f} s  ",
           f"Load average (1/5/15 min) at start: {context['load_start']}, at end: {context['load_end']}", "",
           "## Machine", ""]
    out += [f"- {k}: {v}" for k, v in machine().items()]
    out += ["", "## Versions", ""] + [f"- {k} {v}" for k, v in versions().items()]
    out += ["", "## Bars", "", md_row(["", "bar", "measured"]), md_row(["---"] * 3)]
    out += [md_row([f"**{b.verdict}**", b.text, b.measured]) for b in results.bars]
    out += ["", "## Figures", "",
            "Every figure is a percentile of time.perf_counter() durations over the repeats shown (n), "
            "taken after warm-up; ratios compare paths measured in the same run.", ""]
    section = None
    for row in results.rows:
        if row.section != section:
            section = row.section
            out += ["", f"### {section}", "", md_row(["measurement", "figures", "note"]), md_row(["---"] * 3)]
        out.append(md_row([row.name, row.figures, row.note]))
    if results.notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in results.notes]
    return "\n".join(out) + "\n"


def now_utc():
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
