"""Scale ladders: the largest instance of each model solved within a time limit (not a test).

    .venv/bin/python -m benchmarks.scale --model fast --limit 60 [--gap 0.01] [--out benchmarks/results]

Each rung is a `siting generate` instance (seeded, so anyone can re-run it) solved end to end by
`siting solve --json` in a fresh process (load, precompute, build, solve, result files; numba's
JIT compilation is cached on disk by an untimed warm-up solve of the first rung). The ladder stops
at the first rung that is not proven within the limit. Results: `<out>/<date>-<machine>-scale-
<model>-<limit>s[-gap].json` and a Markdown table next to it.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SITING = [str(Path(sys.executable).parent / "siting")]  # the console script of this environment

LADDERS: dict[str, list[dict]] = {
    # demand points drawn (merged per 100 m cell) grow at 1 k candidates, p = 20, R = 5 km; then
    # the candidates and p grow at the largest demand
    "fast": [
        {"demand": 10_000, "candidates": 1_000, "p": 20, "radius": 5_000},
        {"demand": 30_000, "candidates": 1_000, "p": 20, "radius": 5_000},
        {"demand": 100_000, "candidates": 1_000, "p": 20, "radius": 5_000},
        {"demand": 300_000, "candidates": 1_000, "p": 20, "radius": 5_000},
        {"demand": 1_000_000, "candidates": 1_000, "p": 20, "radius": 5_000},
        {"demand": 1_000_000, "candidates": 2_000, "p": 40, "radius": 5_000},
        {"demand": 1_000_000, "candidates": 5_000, "p": 100, "radius": 5_000},
    ],
    "corridor": [
        {"nodes": 500, "od-pairs": 100, "candidates": 80, "p": 8},
        {"nodes": 1_000, "od-pairs": 250, "candidates": 150, "p": 10},
        {"nodes": 2_000, "od-pairs": 500, "candidates": 300, "p": 15},
        {"nodes": 4_000, "od-pairs": 1_000, "candidates": 600, "p": 25},
        {"nodes": 8_000, "od-pairs": 2_000, "candidates": 1_200, "p": 40, "towns": 150},
        {"nodes": 16_000, "od-pairs": 4_000, "candidates": 2_400, "p": 60, "towns": 250},
        {"nodes": 32_000, "od-pairs": 8_000, "candidates": 4_800, "p": 100, "towns": 400},
    ],
    "park": [
        {"companies": 10, "squares": 3, "parks": 2},
        {"companies": 20, "squares": 4, "parks": 2},
        {"companies": 40, "squares": 5, "parks": 3},
        {"companies": 80, "squares": 8, "parks": 4},
        {"companies": 160, "squares": 12, "parks": 6},
    ],
}


def generate(model: str, rung: dict, out: Path) -> str | None:
    """Write the rung's instance; the generator's message when it cannot."""
    args = [f"--{k}={v}" for k, v in rung.items()]
    if model == "fast":
        args.append("--grid-areas=0")  # MCLP as in the literature and the peers: no grid limits
    proc = subprocess.run([*SITING, "generate", model, *args, "--seed", "1", "--out", str(out)],
                          capture_output=True, text=True)
    return None if proc.returncode == 0 else proc.stderr.strip()[-300:]


def solve(folder: Path, limit: float, gap: float | None) -> dict:
    cmd = [*SITING, "solve", str(folder), "--json", "--time-limit", str(limit), "--out", str(folder / "result")]
    if gap is not None:
        cmd += ["--gap", str(gap)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        return {"status": f"exit {proc.returncode}", "wall_s": round(wall, 2), "stderr": proc.stderr[-500:]}
    summary = json.loads(proc.stdout)
    return {"status": summary["status"], "objective": summary.get("objective"), "bound": summary.get("best_bound"),
            "gap": summary.get("gap"), "wall_s": round(wall, 2), "times": summary.get("times"),
            "size": summary.get("size"), "solver": summary.get("solver", {}).get("benders")}


def ladder(model: str, limit: float, gap: float | None) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for k, rung in enumerate(LADDERS[model]):
            folder = Path(work) / f"{model}-{k}"
            problem = generate(model, rung, folder)
            if problem:
                rows.append({"rung": rung, "status": "not generated", "wall_s": 0.0, "stderr": problem})
                break
            if k == 0:
                solve(folder, limit, gap)  # warm-up: numba compiles and caches its kernels
                subprocess.run(["rm", "-rf", str(folder / "result")], check=True)
            result = solve(folder, limit, gap)
            rows.append({"rung": rung, **result})
            print(json.dumps(rows[-1]), flush=True)
            if result["status"] != "optimal" or result["wall_s"] > limit:
                break
    return rows


def markdown(model: str, limit: float, gap: float | None, rows: list[dict]) -> str:
    head = (f"# scale ladder — {model}, limit {limit:g} s, gap {'profile default' if gap is None else gap}\n\n"
            f"{platform.node()}, {platform.processor() or platform.machine()}, Python {platform.python_version()}; "
            f"{time.strftime('%Y-%m-%d %H:%M')}; end to end per `siting solve --json` (wall clock of the process).\n\n"
            "| rung | size (vars / rows / nnz) | status | gap | wall s |\n|---|---|---|---|---|\n")
    lines = []
    for r in rows:
        size = r.get("size") or {}
        text = f"{size.get('variables')} / {size.get('constraints')} / {size.get('nonzeros')}"
        if "demand_classes" in size:
            text += f"; {size.get('demand_points')} points → {size['demand_classes']} classes"
        gap_text = "—" if r.get("gap") is None else f"{r['gap']:.2e}"
        lines.append(f"| {', '.join(f'{k} {v}' for k, v in r['rung'].items())} | {text} | {r['status']} | "
                     f"{gap_text} | {r['wall_s']} |")
    return head + "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=sorted(LADDERS), required=True)
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--gap", type=float, default=None, help="relative gap, e.g. 0.01; default: the profile's")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = ap.parse_args()
    rows = ladder(args.model, args.limit, args.gap)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"{time.strftime('%Y-%m-%d')}-{platform.node()}-scale-{args.model}-{args.limit:g}s"
    stem += "" if args.gap is None else f"-gap{args.gap:g}"
    (args.out / f"{stem}.json").write_text(json.dumps(rows, indent=2) + "\n")
    (args.out / f"{stem}.md").write_text(markdown(args.model, args.limit, args.gap, rows))
    print(f"written {args.out / stem}.md")


if __name__ == "__main__":
    main()
