"""The suite's results: one row per instance and horizon (medians of the solver runs, and
the baseline planner's programme beside them), written as results.md with the machine they
ran on, results.json (every run) and time_vs_size.png."""

from __future__ import annotations

import json
import os
import platform
from collections import Counter
from datetime import datetime
from pathlib import Path
from statistics import median
from typing import Any

import ortools
from matplotlib.figure import Figure
from matplotlib.ticker import ScalarFormatter

from benchmarks.settings import Settings
from scheduler.io import write_atomically, write_text_atomically
from scheduler.quality import Quality, ratios

Record = dict[str, Any]
NONE = "–"


def _median(values: Any) -> float | None:
    found = [v for v in values if v is not None]
    return median(found) if found else None


def _representative(feasible: list[Record]) -> Record | None:
    """The run with the median objective: its programme stands for the instance."""
    ranked = sorted(feasible, key=lambda r: (r["objective"], r["seed"]))
    return ranked[(len(ranked) - 1) // 2] if ranked else None


def summarise(records: list[Record]) -> list[Record]:
    """One row per instance and horizon, in the order they were run."""
    groups: dict[tuple[str, int], list[Record]] = {}
    for record in records:
        groups.setdefault((record["instance"], record["weeks"]), []).append(record)
    rows = []
    for (instance, weeks), group in groups.items():
        solver = [r for r in group if r["planner"] == "solver"]
        feasible = [r for r in solver if r.get("feasible")]
        baseline = next((r for r in group if r["planner"] == "baseline"), {})
        typical = _representative(feasible)
        known = next((r for r in group if "las" in r), {})
        rows.append({
            "instance": instance, "label": group[0]["label"], "weeks": weeks,
            "las": known.get("las"), "regions": known.get("regions"),
            "needs": known.get("needs"), "runs": len(solver),
            "time_limit": _median(r.get("time_limit") for r in solver),
            "statuses": dict(Counter(r["status"] for r in solver)),
            "found": len(feasible),
            "first_feasible_seconds": _median(r.get("first_feasible_seconds") for r in solver),
            "first_checked": sum(1 for r in solver if r.get("first_violations") is not None),
            "first_violations": max((r["first_violations"] for r in solver
                                     if r.get("first_violations") is not None), default=None),
            "solve_seconds": _median(r.get("solve_seconds") for r in feasible or solver),
            "gap": _median(r.get("gap") for r in feasible),
            "peak_memory_mib": _median(r["peak_memory_mib"] for r in solver),
            "model_size": next((r["model_size"] for r in solver if r.get("model_size")), {}),
            "violations": max((r["violations"] for r in feasible), default=None),
            "quality": typical["quality"] if typical else None,
            "baseline": baseline,
            "errors": sorted({r["error"] for r in group if r.get("error")}),
        })
    return rows


def _quality(figures: dict[str, Any]) -> Quality:
    return Quality(**{k: v for k, v in figures.items() if k != "max_capacity_peak"})


def quality_ratios(row: Record) -> dict[str, float | None] | None:
    """The solver's figures over the baseline's (below 1: the solver's programme is better)."""
    base = row["baseline"].get("quality")
    if row["quality"] is None or base is None:
        return None
    return ratios(_quality(row["quality"]), _quality(base))


def machine() -> dict[str, str]:
    """CPU model, cores, memory, versions and date of this run."""
    def proc(path: str, key: str) -> str | None:
        try:
            lines = Path(path).read_text().splitlines()
        except OSError:
            return None
        return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)),
                    None)

    memory = proc("/proc/meminfo", "MemTotal")
    return {
        "cpu": proc("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "cores": str(os.cpu_count()),
        "memory": f"{int(memory.split()[0]) / 1024 ** 2:.1f} GiB" if memory else "unknown",
        "python": platform.python_version(), "ortools": ortools.__version__,
        "date": datetime.now().astimezone().isoformat(timespec="minutes"),
    }


def _seconds(value: float | None) -> str:
    return NONE if value is None else f"{value:.1f}"


def _statuses(row: Record) -> str:
    return ", ".join(f"{n}/{row['runs']} {status}" for status, n in row["statuses"].items())


def _outcome(row: Record) -> str:
    """Time to the proven optimum, or the gap at the time limit."""
    if row["statuses"].get("OPTIMAL") == row["runs"]:
        return f"optimal in {_seconds(row['solve_seconds'])} s"
    if row["gap"] is None:
        return ("stopped by the suite's timeout before its final programme"
                if row["statuses"].get("TIMEOUT") else "no programme")
    return f"gap {100 * row['gap']:.2f} % at {_seconds(row['solve_seconds'])} s"


def _first(row: Record) -> str:
    """The median time to a first programme; where runs were stopped before the end, how
    many of them had written and checked one."""
    found = _seconds(row["first_feasible_seconds"])
    if row["found"] == row["runs"]:
        return found
    if row["first_checked"]:
        return (f"{found} ({row['first_checked']}/{row['runs']} runs wrote one, checked: "
                f"{row['first_violations']} violations)")
    return f"{found} ({row['found']}/{row['runs']} runs)"


def _limit(row: Record) -> str:
    return NONE if row["time_limit"] is None else f"{row['time_limit']:g}"


def _targets(settings: Settings, row: Record) -> str:
    return "; ".join(f"{t.text}: {'met' if t.met(row) else 'MISSED'}"
                     for t in settings.targets_for(row["instance"], row["weeks"])) or NONE


def _speed_table(settings: Settings, rows: list[Record]) -> list[str]:
    lines = ["| instance | LAs | regions | weeks | events due | time limit (s) | solver runs | "
             "first feasible (s) | optimum, or gap at the limit | peak memory (MiB) | variables "
             "/ constraints / placement Booleans | checker violations | target (issue 6) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        size = row["model_size"]
        model = " / ".join(str(size.get(k, NONE)) for k in ("variables", "constraints",
                                                             "placement_booleans"))
        peak = row["peak_memory_mib"]
        lines.append(
            f"| {row['label']} | {row['las']} | {row['regions']} | {row['weeks']} | "
            f"{row['needs']} | {_limit(row)} | {_statuses(row)} | {_first(row)} | "
            f"{_outcome(row)} | "
            f"{NONE if peak is None else f'{peak:.0f}'} | {model} | "
            f"{NONE if row['violations'] is None else row['violations']} | "
            f"{_targets(settings, row)} |")
    return lines


def _figures(figures: dict[str, Any] | None) -> list[str]:
    if figures is None:
        return [NONE] * 6
    return [str(figures["events"]), str(figures["overdue_las"]),
            f"{figures['window_deviation_weeks']} / {figures['mean_window_deviation_weeks']}",
            f"{figures['lending_days']:g} / {figures['quarter_lending_days']:g}",
            f"{100 * figures['max_capacity_peak']:.0f} %", str(figures["missed_visits"])]


def _ratios(found: dict[str, float | None] | None) -> list[str]:
    if found is None:
        return [NONE] * 6

    def show(*names: str) -> str:
        return " / ".join(NONE if found[n] is None else f"{found[n]:.2f}" for n in names)

    return ["", show("overdue_las"), show("window_deviation_weeks",
                                           "mean_window_deviation_weeks"),
            show("lending_days", "quarter_lending_days"), show("max_capacity_peak"),
            show("missed_visits")]


def _quality_table(rows: list[Record]) -> list[str]:
    lines = ["| instance | weeks | planner | status | time (s) | events | overdue LAs | weeks "
             "from the 3-year point (total / mean) | lending days (weekly / quarterly) | "
             "busiest week | missed visits | checker violations |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        base = row["baseline"]
        solver = [row["label"], str(row["weeks"]), "solver (median run)", _statuses(row),
                  _seconds(row["solve_seconds"]), *_figures(row["quality"]),
                  str(NONE if row["violations"] is None else row["violations"])]
        unplaced = f" ({base['unplaced']} events not placed)" if base.get("unplaced") else ""
        baseline = ["", "", "baseline planner", f"{base.get('status', NONE)}{unplaced}",
                    _seconds(base.get("solve_seconds")), *_figures(base.get("quality")),
                    str(base.get("violations", NONE))]
        ratio = ["", "", "solver / baseline", "", "", *_ratios(quality_ratios(row)), ""]
        lines += ["| " + " | ".join(cells) + " |" for cells in (solver, baseline, ratio)]
    return lines


def run_header(settings: Settings, rows: list[Record], about: dict[str, str], command: str,
               solver: dict[str, Any]) -> list[str]:
    """What one run of the suite measured on: machine, command, solver settings, limits."""
    labels = dict((row["instance"], row["label"]) for row in rows)
    limits = ", ".join(f"{label} {settings.limit_for(key):g} s" for key, label in labels.items())
    return [
        f"Machine: {about['cpu']}, {about['cores']} cores, {about['memory']} RAM; "
        f"Python {about['python']}, OR-Tools {about['ortools']}; run {about['date']}.", "",
        f"Command: `{command}`", "",
        f"Solver settings: {json.dumps(solver)}; time limits: {limits}. "
        f"{settings.runs} solver run(s) per instance and horizon (seeds 0..{settings.runs - 1}), "
        "each in a process of its own; figures are medians over the runs.", ""]


def markdown(settings: Settings, rows: list[Record], header: list[str]) -> str:
    """results.md: ``header`` (what the runs measured on), then the tables."""
    errors = [f"- {row['label']}, {row['weeks']} weeks: {e}" for row in rows
              for e in row["errors"]]
    return "\n".join([
        "# Benchmarks", "", *header,
        "## Solving time, gap, memory and model size", "",
        *_speed_table(settings, rows), "",
        "## Programme quality against the baseline planner", "",
        *_quality_table(rows), "",
        "## How it is measured", "",
        "- first feasible: model build plus the solver's time to its first programme "
        "(the baseline: its whole run); region by region, that first programme is the one "
        "the regions start from, written and re-verified by the checker as soon as it exists, "
        "so a run stopped later still reports it; optimum or gap: build plus solve, "
        "wall-clock, and the relative gap |objective - bound| / objective at the end.",
        "- peak memory: the run's own maximum resident set (`os.wait4` rusage of its process; "
        "it includes Python, pandas and OR-Tools themselves).",
        "- every programme is written to programme.csv and re-verified from that file by the "
        "independent checker (`scheduler.check`); quality figures are `scheduler.quality`, "
        "from the same file; the solver's are those of the run with the median objective.",
        "- weeks from the 3-year point: graded inspections with a target; one left after the "
        "horizon counts as at its end, as the solver's R-WIN cost counts it.",
        *(["", "## Runs that failed", "", *errors] if errors else []), ""])


def plot(rows: list[Record], path: Path) -> None:
    """Seconds against LAs, one colour per horizon: first feasible, solve time, baseline."""
    figure = Figure(figsize=(8, 5), layout="constrained")
    axes = figure.subplots()
    for index, weeks in enumerate(sorted({row["weeks"] for row in rows})):
        colour = f"C{index}"
        mine = sorted((r for r in rows if r["weeks"] == weeks and r["las"]),
                      key=lambda r: r["las"])
        synthetic = [r for r in mine if r["instance"] != "england"]
        for key, style, name in (("first_feasible_seconds", "o-", "first feasible"),
                                 ("solve_seconds", "s--", "solve (optimum or limit)")):
            points = [(r["las"], r[key]) for r in synthetic if r[key] is not None]
            if points:
                axes.plot(*zip(*points, strict=True), style, color=colour,
                          label=f"{weeks} weeks: {name}")
        base = [(r["las"], r["baseline"]["solve_seconds"]) for r in synthetic
                if r["baseline"].get("solve_seconds") is not None]
        if base:
            axes.plot(*zip(*base, strict=True), "x:", color=colour,
                      label=f"{weeks} weeks: baseline planner")
        for r in mine:
            if r["instance"] == "england" and r["solve_seconds"] is not None:
                axes.plot([r["las"]], [r["solve_seconds"]], "*", color=colour, markersize=12,
                          label=f"{weeks} weeks: England, solve")
    axes.set(xscale="log", yscale="log", xlabel="local authorities",
             ylabel="seconds (wall clock)", title="ILACS scheduler: time against size")
    for axis in (axes.xaxis, axes.yaxis):
        axis.set_major_formatter(ScalarFormatter())
    axes.grid(True, which="both", alpha=0.3)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize="small")
    write_atomically(path, lambda tmp: figure.savefig(tmp, format="png", dpi=120))


def write_report(settings: Settings, records: list[Record], out_dir: Path, command: str,
                 solver: dict[str, Any]) -> list[Path]:
    """results.md, results.json and time_vs_size.png in ``out_dir``."""
    rows = summarise(records)
    about = machine()
    header = run_header(settings, rows, about, command, solver)
    return write_files(settings, rows, header, out_dir, {
        "machine": about, "command": command, "solver": solver, "records": records})


def write_files(settings: Settings, rows: list[Record], header: list[str], out_dir: Path,
                data: dict[str, Any]) -> list[Path]:
    """results.md (``header`` and the tables of ``rows``), results.json (``data``) and
    time_vs_size.png in ``out_dir``, each written atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "results.md", out_dir / "results.json", out_dir / "time_vs_size.png"]
    write_text_atomically(paths[0], markdown(settings, rows, header))
    write_text_atomically(paths[1], json.dumps(data, indent=1) + "\n")
    plot(rows, paths[2])
    return paths
