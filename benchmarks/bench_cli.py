"""How fast mlscaffold is, against cookiecutter-data-science and raw copier, in one run.

    python benchmarks/bench_cli.py --ccds PATH [--runs 7]

PATH is a local clone of https://github.com/drivendataorg/cookiecutter-data-science; its `ccds`
command (`pip install cookiecutter-data-science`, best in a separate virtualenv; pass
`--ccds-bin` if it is not on PATH) renders it with `--no-input`. That template is never copied
here. Without --ccds the comparison with it is skipped, and the output says so.

Commands are measured in alternation (A, B, A, B...) so that load on the machine falls on both
alike; each figure is the median of the runs, and each ratio the median of the per-pair ratios
(min-max in brackets). Wall time is what a user waits; CPU time (user + system, children
included) is what the machine spends, steadier on a busy machine. Goals (issue 15):
`new` <= 0.8x ccds wall time for every template; `update` with nothing new < 0.3 s; a real
`update` <= 1.0x raw `copier update`; `--help`, `list`, `info` < 0.12 s.
Everything happens in a temporary MLSCAFFOLD_HOME; nothing of the user's is touched.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent
TEMPLATES = ["streamlit-app", "segmentation", "cervical-cancer", "dataviz"]
Command = Callable[[int], tuple[list[str], Path]]


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


class Bench:
    def __init__(self, runs: int, env: dict[str, str]) -> None:
        self.runs = runs
        self.env = env

    def alone(self, make: Command) -> tuple[float, float]:
        times = [timed(*make(i), self.env) for i in range(self.runs)]
        return statistics.median(w for w, _ in times), statistics.median(c for _, c in times)

    def pair(self, make_a: Command, make_b: Command) -> dict[str, float]:
        """A against B, alternating; medians and the median of per-pair ratios."""
        a, b = [], []
        for i in range(self.runs):
            a.append(timed(*make_a(i), self.env))
            b.append(timed(*make_b(i), self.env))
        wall_ratios = sorted(x[0] / y[0] for x, y in zip(a, b, strict=True))
        cpu_ratios = sorted(x[1] / y[1] for x, y in zip(a, b, strict=True))
        return {
            "a_wall": statistics.median(w for w, _ in a),
            "b_wall": statistics.median(w for w, _ in b),
            "wall": statistics.median(wall_ratios),
            "wall_range": (wall_ratios[0], wall_ratios[-1]),
            "cpu": statistics.median(cpu_ratios),
            "cpu_range": (cpu_ratios[0], cpu_ratios[-1]),
        }


def mlscaffold_command() -> list[str]:
    installed = BIN / "mlscaffold"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "mlscaffold"]


def show_pair(label: str, result: dict[str, float], goal: float | None = None) -> None:
    low, high = result["wall_range"]
    clow, chigh = result["cpu_range"]
    verdict = ""
    if goal is not None:
        verdict = "  meets the goal" if result["wall"] <= goal else f"  MISSES the goal {goal}x"
    print(
        f"{label:<34} {result['a_wall']:6.3f} s vs {result['b_wall']:6.3f} s   "
        f"wall {result['wall']:4.2f}x [{low:4.2f}-{high:4.2f}]   "
        f"cpu {result['cpu']:4.2f}x [{clow:4.2f}-{chigh:4.2f}]{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ccds", type=Path, help="local clone of cookiecutter-data-science")
    parser.add_argument("--ccds-bin", default="ccds", help="the ccds command (default: on PATH)")
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="mlscaffold-bench-"))
    env = {
        **os.environ,
        "MLSCAFFOLD_HOME": str(work / "home"),
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    os.environ.update(env)
    import mlscaffold
    from mlscaffold.catalog import templates_root
    from mlscaffold.store import ensure_store

    # As `pip install` does: mlscaffold's bytecode compiled, so no run compiles its source
    # (with PYTHONDONTWRITEBYTECODE set, a checkout's modules would be compiled on every run).
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(mlscaffold.__file__).parent)],
        check=True,
    )

    bench = Bench(options.runs, env)
    mlscaffold, copier = mlscaffold_command(), str(BIN / "copier")
    ccds = shutil.which(options.ccds_bin) if options.ccds else None
    print(f"runs per figure: {options.runs}; machine load (1 min): {os.getloadavg()[0]:.1f}")
    try:
        # An older template version in the store, for the update comparison.
        old = work / "old-templates"
        shutil.copytree(templates_root(), old)
        readme = old / "_shared" / "README.md.jinja"
        readme.write_text(readme.read_text().replace("## Staying up to date", "## Updating"))
        ensure_store(bundled=old, version="0.0.1")
        store = ensure_store()
        subprocess.run([*mlscaffold, "new", "segmentation", "warm", "-y", "-q"], cwd=work, env=env)
        for template in TEMPLATES:  # as for a user's second project: Jinja's cache is warm
            subprocess.run([*mlscaffold, "new", template, f"warm-{template}", "-y", "-q"],
                           cwd=work, env=env, check=True)  # fmt: skip

        print("\n-- startup (goal: under 0.12 s each)")
        for args in (["--help"], ["list"], ["info", "segmentation"]):
            wall, cpu = bench.alone(lambda i, args=args: ([*mlscaffold, *args], work))
            print(f"mlscaffold {' '.join(args):<23} {wall:6.3f} s wall   {cpu:6.3f} s cpu")
        wall, cpu = bench.alone(lambda i: ([sys.executable, "-c", "pass"], work))
        print(f"{'python -c pass':<34} {wall:6.3f} s wall   {cpu:6.3f} s cpu")

        def ccds_run_in(out: Path) -> Command:
            def ccds_run(i: int) -> tuple[list[str], Path]:
                target = out / str(i)
                target.mkdir(parents=True)
                return [str(ccds), "--no-input", "-o", str(target), str(options.ccds)], work

            return ccds_run

        print("\n-- new (goal: at most 0.8x ccds wall time, every template)")
        if ccds is None:
            why = "no --ccds PATH given" if not options.ccds else f"'{options.ccds_bin}' not found"
            print(f"The comparison with cookiecutter-data-science is skipped: {why}.")
        for template in TEMPLATES if ccds else []:
            ccds_run = ccds_run_in(work / f"ccds-{template}")

            def new_run(i: int, template: str = template) -> tuple[list[str], Path]:
                return [*mlscaffold, "new", template, f"n-{template}-{i}", "-y", "-q"], work

            show_pair(f"mlscaffold new {template} / ccds", bench.pair(new_run, ccds_run), 0.8)
        if ccds:

            def cold_run(i: int) -> tuple[list[str], Path]:
                # The first project after installing: nothing compiled yet.
                (work / "home" / "jinja-cache").unlink(missing_ok=True)
                return [*mlscaffold, "new", "segmentation", f"cold-{i}", "-y", "-q"], work

            show_pair(
                "(first project) new segmentation / ccds",
                bench.pair(cold_run, ccds_run_in(work / "ccds-cold")),
            )
        answers = ["--defaults", "-d", "template=segmentation"]
        show_pair(
            "mlscaffold new segmentation / copier",
            bench.pair(
                lambda i: ([*mlscaffold, "new", "segmentation", f"m{i}", "-y", "-q"], work),
                lambda i: (
                    [
                        copier,
                        "copy",
                        "-q",
                        "--vcs-ref",
                        store.tag,
                        *answers,
                        str(store.path),
                        f"c{i}",
                    ],
                    work,
                ),
            ),
        )

        print("\n-- update")
        wall, cpu = bench.alone(lambda i: ([*mlscaffold, "update", "-q"], work / "warm"))
        print(f"{'mlscaffold update, nothing new':<34} {wall:6.3f} s wall   {cpu:6.3f} s cpu"
              f"   goal: under 0.3 s")  # fmt: skip
        seed = work / "seed"
        subprocess.run(
            [copier, "copy", "-q", "--vcs-ref", "0.0.1", *answers, str(store.path), str(seed)],
            env=env,
            check=True,
            capture_output=True,
        )
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "Generated"]):
            subprocess.run(["git", *args], cwd=seed, env=env, check=True, capture_output=True)

        def fresh(name: str) -> Path:
            target = work / name
            shutil.copytree(seed, target, symlinks=True)
            return target

        show_pair(
            "mlscaffold update / copier update",
            bench.pair(
                lambda i: ([*mlscaffold, "update", "-q"], fresh(f"um{i}")),
                lambda i: ([copier, "update", "-q", "--defaults"], fresh(f"uc{i}")),
            ),
            1.0,
        )
        print(f"\nmachine load (1 min) at the end: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
