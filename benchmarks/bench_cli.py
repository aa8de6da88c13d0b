"""How fast mlscaffold is against raw copier on the same store, measured in the same run.

    python benchmarks/bench_cli.py [--runs 5]

Prints wall times (median of the runs) and ratios:
- `mlscaffold --help` against a bare `python -c pass` (help must not import copier);
- `mlscaffold new segmentation` against `copier copy` of the same tag from the same store
  (goal: at most 1.2x; mlscaffold also makes the git repository and its first commit);
- `mlscaffold update` against `copier update` of identical projects, from an older template
  version to the bundled one.
Everything happens in a temporary MLSCAFFOLD_HOME; nothing of the user's is touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def median_of(runs: int, measure: Callable[[int], float]) -> float:
    return statistics.median(measure(i) for i in range(runs))


def git_commit_all(project: Path, env: dict[str, str]) -> None:
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "Generated"]):
        subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

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
    from mlscaffold.catalog import templates_root
    from mlscaffold.store import ensure_store

    mlscaffold, copier = str(BIN / "mlscaffold"), str(BIN / "copier")
    try:
        # An older template version in the store, for the update comparison.
        old = work / "old-templates"
        shutil.copytree(templates_root(), old)
        readme = old / "_shared" / "README.md.jinja"
        readme.write_text(readme.read_text().replace("## Staying up to date", "## Updating"))
        ensure_store(bundled=old, version="0.0.1")
        store = ensure_store()
        answers = ["--defaults", "-d", "template=segmentation"]

        baseline = median_of(runs, lambda i: timed([sys.executable, "-c", "pass"], work, env))
        help_time = median_of(runs, lambda i: timed([mlscaffold, "--help"], work, env))
        new_time = median_of(
            runs,
            lambda i: timed([mlscaffold, "new", "segmentation", f"m{i}", "-y", "-q"], work, env),
        )
        copy_time = median_of(
            runs,
            lambda i: timed(
                [copier, "copy", "-q", "--vcs-ref", store.tag, *answers, str(store.path), f"c{i}"],
                work,
                env,
            ),
        )

        seed = work / "seed"
        subprocess.run(
            [copier, "copy", "-q", "--vcs-ref", "0.0.1", *answers, str(store.path), str(seed)],
            env=env,
            check=True,
            capture_output=True,
        )
        git_commit_all(seed, env)

        def fresh(name: str) -> Path:
            target = work / name
            shutil.copytree(seed, target, symlinks=True)
            return target

        update_time = median_of(
            runs, lambda i: timed([mlscaffold, "update", "-q"], fresh(f"um{i}"), env)
        )
        raw_update_time = median_of(
            runs, lambda i: timed([copier, "update", "-q", "--defaults"], fresh(f"uc{i}"), env)
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"runs per figure: {runs} (median wall time)")
    print(f"python -c pass           {baseline:6.3f} s")
    print(
        f"mlscaffold --help        {help_time:6.3f} s   {help_time / baseline:4.1f}x python startup"
    )
    print(f"copier copy              {copy_time:6.3f} s")
    print(f"mlscaffold new           {new_time:6.3f} s   {new_time / copy_time:4.2f}x copier copy")
    print(f"copier update            {raw_update_time:6.3f} s")
    print(
        f"mlscaffold update        {update_time:6.3f} s   "
        f"{update_time / raw_update_time:4.2f}x copier update"
    )


if __name__ == "__main__":
    main()
