"""Benchmarks against the floors: one command each, printing medians and ratios.

    python bench/bench.py a      # floor A alone
    python bench/bench.py b1     # kanaalmonitor run on raw/, fresh warehouse, vs floor A
    python bench/bench.py b2     # second run on unchanged raw/, vs floor A
    python bench/bench.py b3     # synthetic 1M and 10M observations, vs floor B, with peak RSS
    python bench/bench.py b4     # growth from 1M to 10M (runs what b3 runs)
    python bench/bench.py b5     # kanaalmonitor query on observations vs bare Python + DuckDB, same select
    python bench/bench.py dask   # synthetic 1M: run on the default task runner vs --task-runner dask
    python bench/bench.py same   # synthetic 1M (default) built (fixed load time) and compared with a reference

Runs alternate between the pipeline and its floor, so a change in machine load hits both.
Each run is a separate process, timed from start to exit; peak RSS is the largest resident set
of one process of the tree (os.wait4), and the peak of all processes of the run together is the
largest sum of the resident sets of the process and its descendants, sampled every 0.2 s.
Results are appended to bench/results/<benchmark>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
DATA = BENCH / "data"
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent
GOALS = {"b1": 1.3, "b2": 1.1, "b3": 2.0, "b4": 11.0, "b5": 1.5}
RSS_GOAL_MB = 1024


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PREFECT_HOME", str(DATA / "prefect"))
    Path(env["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    env.update(DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120")
    return env


def tree_rss_kb(root: int) -> int:
    """The resident sets of a process and all its descendants, summed (kB)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0")), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def measure(cmd: list[str], log: Path) -> dict:
    """Wall time, peak RSS (largest process, and all processes of the run together) and exit code of one run."""
    log.parent.mkdir(parents=True, exist_ok=True)
    peak = [0]
    done = threading.Event()

    def sample(pid: int) -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], tree_rss_kb(pid))

    with log.open("ab") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=environment(), cwd=PROJECT)
        sampler = threading.Thread(target=sample, args=(proc.pid,), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}; see {log}")
    return {"seconds": round(seconds, 3), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "peak_tree_rss_mb": round(peak[0] / 1024, 1), "load_average": os.getloadavg()}


def floor_a() -> list[str]:
    return [sys.executable, str(BENCH / "floor_a.py")]


def floor_b(raw: Path, target: Path) -> list[str]:
    return [sys.executable, str(BENCH / "floor_b.py"), str(raw), str(target)]


def pipeline(raw: Path, target: Path, *options: str) -> list[str]:
    return [str(BIN / "kanaalmonitor"), "run", "--raw-dir", str(raw), "--warehouse", str(target), *options]


def fresh(target: Path) -> None:
    for p in (target, Path(f"{target}.wal"), Path(f"{target}.tmp"), Path(f"{target}.lock")):
        p.unlink(missing_ok=True)


def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "unknown")
    mem = next(int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
               if ln.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem / 1024 / 1024, 1),
            "load_average": os.getloadavg(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "python": sys.version.split()[0]}


def summary(runs: list[dict]) -> dict:
    return {"median_s": round(statistics.median(r["seconds"] for r in runs), 3),
            "min_s": min(r["seconds"] for r in runs), "max_s": max(r["seconds"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "peak_tree_rss_mb": max(r["peak_tree_rss_mb"] for r in runs), "runs": runs}


def alternate(pairs: dict[str, tuple[list[str], callable]], repeat: int, log: Path) -> dict[str, dict]:
    """Run each command `repeat` times, alternating between them; a callable prepares each run."""
    runs = {name: [] for name in pairs}
    for i in range(repeat):
        for name, (cmd, prepare) in pairs.items():
            prepare()
            r = measure(cmd, log)
            runs[name].append(r)
            print(f"  {name} run {i + 1}/{repeat}: {r['seconds']:.2f} s, peak RSS {r['peak_rss_mb']:.0f} MB "
                  f"(all processes {r['peak_tree_rss_mb']:.0f} MB), load {r['load_average'][0]:.1f}", flush=True)
    return {name: summary(rs) for name, rs in runs.items()}


def record(name: str, result: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    history = json.loads(path.read_text()) if path.exists() else []
    history.append(result)
    path.write_text(json.dumps(history, indent=2))


def warm_up() -> None:
    """One untimed floor A run, so the Prefect home exists before timing."""
    measure(floor_a(), RESULTS / "logs" / "warm-up.log")


def bench_a(repeat: int) -> dict:
    warm_up()
    res = alternate({"floor_a": (floor_a(), lambda: None)}, repeat, RESULTS / "logs" / "a.log")
    print(f"floor A: median {res['floor_a']['median_s']:.2f} s")
    return res


def bench_b1(repeat: int) -> dict:
    warm_up()
    target = DATA / "b1" / "kanaalmonitor.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    res = alternate({"floor_a": (floor_a(), lambda: None),
                     "b1": (pipeline(PROJECT / "raw", target), lambda: fresh(target))},
                    repeat, RESULTS / "logs" / "b1.log")
    return _ratio("b1", res, "floor_a")


def bench_b2(repeat: int) -> dict:
    warm_up()
    target = DATA / "b2" / "kanaalmonitor.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh(target)
    measure(pipeline(PROJECT / "raw", target), RESULTS / "logs" / "b2.log")
    res = alternate({"floor_a": (floor_a(), lambda: None),
                     "b2": (pipeline(PROJECT / "raw", target), lambda: None)},
                    repeat, RESULTS / "logs" / "b2.log")
    return _ratio("b2", res, "floor_a")


B5_SQL = "select * from observations where series = 'phone_calls' order by year"


def bare_duckdb(warehouse: Path, sql: str) -> list[str]:
    """The floor of B5: a bare Python process that runs the select on the file read-only and prints the rows."""
    return [sys.executable, "-c", "import sys, duckdb; con = duckdb.connect(sys.argv[1], read_only=True); "
            "print(con.execute(sys.argv[2]).fetchall())", str(warehouse), sql]


def bench_b5(repeat: int) -> dict:
    """kanaalmonitor query against the bare DuckDB process, on the warehouse of the shipped raw/."""
    target = DATA / "b5" / "kanaalmonitor.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    log = RESULTS / "logs" / "b5.log"
    measure(pipeline(PROJECT / "raw", target), log)  # builds it, or answers "Unchanged"
    query = [str(BIN / "kanaalmonitor"), "query", B5_SQL, "--warehouse", str(target)]
    measure(query, log)  # untimed: the first run reads the files into the page cache
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    res = alternate({"bare_duckdb": (bare_duckdb(target, B5_SQL), lambda: None), "b5": (query, lambda: None)},
                    repeat, log)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    return _ratio("b5", res, "bare_duckdb")


def synthetic(observations: int) -> Path:
    """The synthetic deliveries of this size under bench/data (written once; the generator is deterministic)."""
    sys.path.insert(0, str(BENCH))
    import synth

    out = DATA / f"synth-{observations}"
    if not (out / "totals.json").exists():
        shutil.rmtree(out, ignore_errors=True)
        print(f"writing {observations:,} synthetic observations to {out}", flush=True)
        synth.write(out, synth.municipalities_for(observations))
    return out


def bench_b3(repeat: int, sizes: list[int]) -> dict:
    warm_up()
    res = {}
    for n in sizes:
        out = synthetic(n)
        target, floor_target = out / "kanaalmonitor.duckdb", out / "floor-b.duckdb"
        totals = json.loads((out / "totals.json").read_text())
        print(f"{totals['vintages']:,} observations ({totals['municipalities']} municipalities, "
              f"{totals['editions']} editions)", flush=True)
        r = alternate({"floor_b": (floor_b(out / "raw", floor_target), lambda t=floor_target: fresh(t)),
                       "b3": (pipeline(out / "raw", target), lambda t=target: fresh(t))},
                      repeat, RESULTS / "logs" / f"b3-{n}.log")
        r["observations"] = totals["vintages"]
        res[str(n)] = _ratio(f"b3 at {n:,}", r, "floor_b", goal="b3")
        res[str(n)]["rss_goal_met"] = r["b3"]["peak_tree_rss_mb"] <= RSS_GOAL_MB
        print(f"  peak RSS of all processes {r['b3']['peak_tree_rss_mb']:.0f} MB (goal <= {RSS_GOAL_MB} MB), "
              f"floor B {r['floor_b']['peak_tree_rss_mb']:.0f} MB", flush=True)
        for p in (target, floor_target):
            fresh(p)
    if len(sizes) == 2:
        small, large = (res[str(n)] for n in sizes)
        growth = large["b3"]["median_s"] / small["b3"]["median_s"]
        floor_growth = large["floor_b"]["median_s"] / small["floor_b"]["median_s"]
        res["b4"] = {"growth": round(growth, 2), "floor_b_growth": round(floor_growth, 2),
                     "goal": GOALS["b4"], "met": growth <= GOALS["b4"]}
        print(f"B4: {sizes[1] // sizes[0]}x input -> {growth:.2f}x time (goal <= {GOALS['b4']}x; "
              f"floor B grows {floor_growth:.2f}x)", flush=True)
    return res


def bench_dask(repeat: int, sizes: list[int]) -> dict:
    """The same refresh on both task runners, alternated: the deliveries read in threads of the run's process,
    or on a LocalCluster of one worker process per core (--task-runner dask); no goal, the ratio is reported."""
    warm_up()
    res = {}
    for n in sizes:
        out = synthetic(n)
        default, dask = out / "default-runner.duckdb", out / "dask-runner.duckdb"
        r = alternate({"default": (pipeline(out / "raw", default), lambda t=default: fresh(t)),
                       "dask": (pipeline(out / "raw", dask, "--task-runner", "dask"), lambda t=dask: fresh(t))},
                      repeat, RESULTS / "logs" / f"dask-{n}.log")
        r["observations"] = json.loads((out / "totals.json").read_text())["vintages"]
        r["ratio"] = round(r["dask"]["median_s"] / r["default"]["median_s"], 2)
        print(f"at {n:,}: dask median {r['dask']['median_s']:.2f} s (all processes "
              f"{r['dask']['peak_tree_rss_mb']:.0f} MB) vs default {r['default']['median_s']:.2f} s "
              f"({r['default']['peak_tree_rss_mb']:.0f} MB) -> {r['ratio']:.2f}x", flush=True)
        res[str(n)] = r
        for p in (default, dask):
            fresh(p)
    return res


SAME_NOW = "2026-06-01 06:00:00"  # the load time of every file, so two builds of one set are comparable


def fixed_time_refresh(raw: Path, target: Path) -> list[str]:
    """A refresh without Prefect (kanaalmonitor.refresh.run_refresh) whose files all load at SAME_NOW."""
    return [sys.executable, "-c", "import sys, datetime as dt; from kanaalmonitor.refresh import run_refresh; "
            "run_refresh(sys.argv[1], sys.argv[2], now=dt.datetime.fromisoformat(sys.argv[3]))",
            str(raw), str(target), SAME_NOW]


def bench_same(sizes: list[int]) -> dict:
    """Build each synthetic set with this code and compare every public table with the reference warehouse
    bench/data/synth-N/reference.duckdb; the first run (e.g. on main) writes the reference."""
    sys.path.insert(0, str(BENCH))
    import same

    res = {}
    for n in sizes:
        out = synthetic(n)
        target, reference = out / "same.duckdb", out / "reference.duckdb"
        fresh(target)
        r = measure(fixed_time_refresh(out / "raw", target), RESULTS / "logs" / f"same-{n}.log")
        print(f"  built {n:,}: {r['seconds']:.2f} s, peak RSS {r['peak_rss_mb']:.0f} MB "
              f"(all processes {r['peak_tree_rss_mb']:.0f} MB), load {r['load_average'][0]:.1f}", flush=True)
        if not reference.exists():
            target.rename(reference)
            print(f"  reference written: {reference}", flush=True)
            res[str(n)] = {**r, "reference_written": True}
            continue
        found, tables, rows = same.differences(reference, target)
        for line in found:
            print(f"  differs: {line}", flush=True)
        print(f"  {'same warehouse' if not found else 'NOT the same warehouse'} as {reference}: {tables} public "
              f"tables, {rows:,} rows compared (columns, types, comments; build_info's code hashes left out)",
              flush=True)
        res[str(n)] = {**r, "same": not found, "differences": found, "tables": tables, "rows": rows}
        fresh(target)
    return res


def _ratio(label: str, res: dict, floor: str, goal: str | None = None) -> dict:
    key = goal or label
    name = next(k for k in res if k not in (floor, "observations"))
    ratio = res[name]["median_s"] / res[floor]["median_s"]
    res["ratio"] = round(ratio, 2)
    res["goal"] = GOALS[key]
    res["met"] = ratio <= GOALS[key]
    print(f"{label.upper()}: median {res[name]['median_s']:.2f} s vs {floor.replace('_', ' ')} "
          f"{res[floor]['median_s']:.2f} s -> {ratio:.2f}x (goal <= {GOALS[key]}x: "
          f"{'met' if res['met'] else 'missed'})", flush=True)
    return res


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("benchmark", choices=["a", "b1", "b2", "b3", "b4", "b5", "dask", "same"])
    p.add_argument("--repeat", type=int, default=5,
                   help="runs of each command (default 5; 3 for b3/b4/dask, 11 for b5)")
    p.add_argument("--sizes", type=int, nargs="+", default=None,
                   help="synthetic sizes for b3/b4 (default 1000000 10000000) and dask (default 1000000)")
    args = p.parse_args()
    started = machine()
    if args.benchmark == "a":
        res = bench_a(args.repeat)
    elif args.benchmark == "b1":
        res = bench_b1(args.repeat)
    elif args.benchmark == "b2":
        res = bench_b2(args.repeat)
    elif args.benchmark == "same":
        res = bench_same(args.sizes or [1_000_000])
    elif args.benchmark == "b5":
        res = bench_b5(args.repeat if "--repeat" in sys.argv else 11)
    elif args.benchmark == "dask":
        res = bench_dask(args.repeat if "--repeat" in sys.argv else 3, args.sizes or [1_000_000])
    else:
        repeat = args.repeat if "--repeat" in sys.argv else 3
        res = bench_b3(repeat, args.sizes or [1_000_000, 10_000_000])
    record(args.benchmark, {"machine": started, "load_average_end": os.getloadavg(), "result": res})


if __name__ == "__main__":
    main()
