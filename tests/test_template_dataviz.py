"""The dataviz template: each dataset answer renders, passes its own lint and tests, and draws
its gallery from the real data."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from helpers import (
    SHARED_DATA,
    SHARED_FILES,
    TEMPLATES,
    leftover_jinja,
    run_in_project,
    use_real_data,
)

PACKAGE = "data_visualization"
DATASETS = ["penguins", "wholesale", "csv"]
PACKAGE_DIR = f"src/{PACKAGE}"
BASELINES = sorted(p.name for p in (TEMPLATES / "dataviz" / "tests" / "baseline").glob("*.png"))
COMMON_FILES = {
    *SHARED_FILES,
    "data/processed/.gitkeep",
    "data/raw/.gitkeep",
    "notebooks/01-eda.ipynb",
    "reports/figures/.gitkeep",
    *(
        f"{PACKAGE_DIR}/{name}.py"
        for name in [
            "__init__",
            "__main__",
            "app",
            "chart",
            "cli",
            "config",
            "correlations",
            "data",
            "features",
            "gallery",
            "pipeline",
            "plots",
            "readme",
            "report",
            "runtime",
            "schema",
            "showcase",
            "stats",
        ]
    ),
    *(f"tests/baseline/{name}" for name in BASELINES),
    *(
        f"tests/test_{name}.py"
        for name in [
            "app",
            "cli",
            "data",
            "features",
            "gallery",
            "notebook",
            "plots",
            "readme",
            "report",
            "results_current",
            "runtime",
            "schema",
            "stats",
        ]
    ),
    "tests/conftest.py",
}
# Each data set brings its own module and tests; only a download needs fetch.py.
DATASET_FILES = {
    "penguins": {f"{PACKAGE_DIR}/penguins.py", "tests/test_penguins.py"},
    "wholesale": {f"{PACKAGE_DIR}/wholesale.py", "tests/test_wholesale.py"},
    "csv": {
        f"{PACKAGE_DIR}/your_csv.py",
        f"{PACKAGE_DIR}/trend.py",  # only your own file can have a date column
        "tests/test_your_csv.py",
        "tests/test_trend.py",
    },
}
# Only the data set that is downloaded gets the download code (penguins ship in a package).
FETCH_FILES = {f"{PACKAGE_DIR}/fetch.py", "tests/test_fetch.py"}
# What each README must cite, and what only that dataset's project may mention.
CITATIONS = {
    "penguins": [
        "Horst, A. M., Hill, A. P. & Gorman, K. B. (2020)",
        "CC0",
        "data/raw/penguins.csv",
    ],
    "wholesale": [
        "Cardoso, M. (2013)",
        "10.24432/C5030X",
        "CC BY 4.0",
        "data/raw/Wholesale customers data.csv",
    ],
    "csv": ["--csv path/to/your-file.csv", "data/raw/data.csv", "--sample"],
}
REAL_SAMPLE_WARNING = "These results come from the synthetic sample"


def _metrics(project) -> dict:
    return json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))


def _results(project) -> str:
    readme = (project / "README.md").read_text(encoding="utf-8")
    return readme.split("<!-- results:start -->")[1].split("<!-- results:end -->")[0]


@pytest.mark.parametrize("dataset", DATASETS, ids=DATASETS)
def test_renders_what_the_dataset_answer_asks_for(render, dataset):
    project = render("dataviz", dataset=dataset, project_name="Data Visualization")
    package = project / "src" / PACKAGE
    files = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    expected = (
        COMMON_FILES | DATASET_FILES[dataset] | (FETCH_FILES if dataset == "wholesale" else set())
    )
    assert sorted(files) == sorted(expected)
    for name in BASELINES:  # binary files are copied byte for byte
        template = TEMPLATES / "dataviz" / "tests" / "baseline" / name
        assert (project / "tests" / "baseline" / name).read_bytes() == template.read_bytes()
    assert leftover_jinja(project) == []

    assert f'DATASET = "{dataset}"' in (package / "config.py").read_text()
    assert f"dataset: {dataset}" in (project / ".copier-answers.yml").read_text()
    pyproject = (project / "pyproject.toml").read_text()
    # the checksum is of the file one palmerpenguins version ships: that version, exactly
    assert ('"palmerpenguins==0.1.6"' in pyproject) == (dataset == "penguins")
    assert '"pytest-mpl>=' in pyproject and "skops" not in pyproject
    assert ("--csv" in (package / "cli.py").read_text()) == (dataset == "csv")

    readme = (project / "README.md").read_text()
    for text in CITATIONS[dataset]:
        assert text in readme, text
    for other in set(DATASETS) - {dataset}:
        assert CITATIONS[other][0] not in readme
    assert "\n\n\n" not in readme
    assert f"python -m {PACKAGE} figures" in readme  # the dataviz stages


def test_project_and_package_names_reach_the_code(render):
    project = render("dataviz", project_name="Penguin Atlas", author_name="Ada Lovelace")
    package = project / "src" / "penguin_atlas"
    assert '"Penguin Atlas"' in (package / "app.py").read_text()
    assert "from penguin_atlas" in (project / "tests" / "test_cli.py").read_text()
    assert 'name = "penguin-atlas"' in (project / "pyproject.toml").read_text()
    assert (project / "README.md").read_text().startswith("# Penguin Atlas: ")


@pytest.mark.slow
def test_generated_csv_project_is_clean_and_its_tests_pass(render):
    """The penguins and wholesale projects run their own suites in the fresh-venv test below,
    installed as their README says; test_generated_lint.py lints all three."""
    project = render("dataviz", dataset="csv")
    run_in_project(project, "-m", "ruff", "check", ".")
    run_in_project(project, "-m", "ruff", "format", "--check", ".")
    run_in_project(project, "-m", "deptry", "src")
    tests = run_in_project(project, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert " passed" in tests.stdout and "skipped" not in tests.stdout


def _declared(project) -> set[str]:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    return set(pyproject["project"]["dependencies"])


def _run_fresh(python, project, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "MPLBACKEND": "Agg"}
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run(
        [str(python), *args], cwd=project, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"{args}: {done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.slow
def test_both_datasets_run_in_a_venv_built_only_from_the_generated_pyproject(render, tmp_path):
    """The tool's own environment has every template's dependencies (scipy among them), so an
    import the generated pyproject does not declare (pandas' Spearman needs scipy) passes
    every other test. Here the penguins project is installed as its README says into a fresh
    venv, its tests and `all` on the real data run in it; then the wholesale project is
    installed over it (adding pooch, which only it declares) and does the same. Each real-data
    run's gallery is then checked (`_check_penguins_gallery`, `_check_wholesale_gallery`)."""
    penguins = render("dataviz", dataset="penguins")
    wholesale = render("dataviz", dataset="wholesale")
    # penguins ship in a package: only the downloaded data set needs pooch
    only_wholesale = _declared(wholesale) - _declared(penguins)
    assert [name.split(">=")[0] for name in only_wholesale] == ["pooch"]
    venv.create(tmp_path / "venv", with_pip=True)
    python = tmp_path / "venv" / "bin" / "python"
    # --no-compile: the byte code of every installed file costs CPU and checks nothing here
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-compile"]
    subprocess.run([*pip, "-e", ".[dev]"], cwd=penguins, check=True, capture_output=True)
    no_pooch = subprocess.run([str(python), "-c", "import pooch"], capture_output=True)
    assert no_pooch.returncode != 0  # the penguins project does not pull it in
    # scipy.stats gives the χ², t and binomial quantiles: declared, not borrowed from sklearn
    assert any(name.startswith("scipy>=") for name in _declared(penguins))
    use_real_data(wholesale, "wholesale_customers.csv", "Wholesale customers data.csv")
    for project in (penguins, wholesale):
        if project == wholesale:  # the same package name: the installed one is wholesale's now
            subprocess.run([*pip, "-e", "."], cwd=project, check=True, capture_output=True)
        tests = _run_fresh(python, project, "-m", "pytest", "-q", "-p", "no:cacheprovider")
        assert " passed" in tests.stdout and "skipped" not in tests.stdout
        completed = _run_fresh(python, project, "-m", PACKAGE, "all")
        assert "[3/3] report done in" in completed.stdout
    # the one real-data run of each: its gallery checked here rather than run again
    _check_penguins_gallery(penguins)
    _check_wholesale_gallery(wholesale)


# Every figure of a finished run, drawn again from its clean table with the run's own
# parameters (the figures the README shows): no text may touch another.
OVERLAPS = f"""
from {PACKAGE} import pipeline, plots
from {PACKAGE}.config import Params, Paths

frame, schema, _ = pipeline.read_table(Paths())
for chart in pipeline.charts(frame, schema, Params()):
    print(chart.name, plots.overlapping_texts(chart.figure))
"""


def _assert_no_text_overlaps(project) -> None:
    lines = run_in_project(project, "-c", OVERLAPS).stdout.splitlines()
    assert lines and all(line.endswith(" []") for line in lines), lines


def _assert_every_finding_has_an_interval(metrics) -> None:
    for figure in metrics["figures"]:
        if figure["name"] == "composition":  # counts of the sampling design: no inference
            assert "not estimates" in figure["finding"]
        else:
            assert "95% CI" in figure["finding"], figure["name"]


def _check_penguins_gallery(project) -> None:
    # The data ships inside the palmerpenguins package: no file to copy, no network.
    metrics = _metrics(project)
    assert metrics["provenance"]["kind"] == "file"
    assert metrics["provenance"]["sha256"].startswith("f204db2c753b")
    assert metrics["rows"] == 344
    figures = {figure["name"]: figure for figure in metrics["figures"]}
    assert list(figures) == [
        "distribution",
        "subgroups",
        "measurements",
        "relationship",
        "pairs",
        "correlation",
        "composition",
    ]  # no donut: it repeated the composition's counts
    _assert_every_finding_has_an_interval(metrics)
    distribution = figures["distribution"]
    assert distribution["values"]["median_Gentoo"] == 5000
    assert distribution["finding"].startswith(
        "Gentoo has the highest median body mass, 5,000 g (95% CI 4,900 to 5,200)"
    )
    # the leader against the nearest groups (equally far: both named), each with its own
    # interval rounded outward to the tens its width supports; no "tie" without an interval
    assert distribution["finding"].endswith(
        "; it is 1,300 g (95% CI 1,200 to 1,550) above Adelie and 1,300 g (95% CI 1,170 to "
        "1,530) above Chinstrap."
    )
    assert [d["lower"] for d in distribution["values"]["leader_differences"]] == [
        "Adelie",
        "Chinstrap",
    ]
    # Adelie and Chinstrap share 3,700 g: never "equal", no winner, with what the interval allows
    assert (
        "Adelie (3,700 g) and Chinstrap (3,700 g): no difference detectable; the interval "
        "allows -200 to +100 g (95% CI)." in distribution["details"]
    )
    assert not any("equal" in d for d in distribution["details"])
    [tie] = [d for d in distribution["values"]["differences"] if d["lower"] == "Chinstrap"]
    assert tie["low"] < 0 < tie["high"]
    # within every species, males are heavier (interval above zero)
    differences = figures["subgroups"]["values"]["differences"]
    assert list(differences) == [f"{s}: male − female" for s in ["Adelie", "Chinstrap", "Gentoo"]]
    assert all(gap["low"] > 0 for gap in differences.values())
    assert figures["subgroups"]["finding"].startswith(
        "Male median body mass is above the female median within every species: by 600 g "
        "(95% CI 500 to 780) in Adelie, "
    )
    assert figures["subgroups"]["values"]["left_out"] == 11
    # where the missing sex is: over the measured birds (2 of the 11 have no measurement)
    missing = figures["subgroups"]["values"]["missing"]
    assert (missing["rows"], missing["unmeasured"], missing["measured"]) == (9, 2, 342)
    assert missing["by"]["species"]["counts"]["Chinstrap"] == [0, 68]
    assert missing["by"]["island"]["counts"]["Torgersen"] == [4, 51]
    assert missing["by"]["island"]["p"] < 0.05  # a bias check: not made lenient by Holm
    # the cause is in penguins-raw.csv's field notes: two whole Torgersen nests unsampled
    assert missing["causes"] == {
        "No blood sample obtained": {"birds": 4, "whole_nests": 2},
        "Sexing primers did not amplify": {"birds": 5, "whole_nests": 0},
    }
    # every finding is one sentence; what is behind it is listed in report.md
    for figure in figures.values():
        assert not re.search(r"\. [A-Z]", figure["finding"]), figure["name"]  # one sentence
    relationship = figures["relationship"]["values"]
    assert relationship["r_all"] == pytest.approx(-0.235, abs=0.001)
    assert relationship["label"] == "reversed"
    # the second confounder (sex) named: tested within each species, then held fixed too
    assert figures["relationship"]["finding"] == (
        "Across all penguins, bill depth falls with bill length (r = -0.24, 95% CI -0.33 to "
        "-0.13), but within every species it rises (r +0.39 to +0.65, each 95% CI above 0); "
        "within each species-and-sex group, r -0.04 to +0.45; 3 of the 6 groups' 95% CIs "
        "include 0."
    )
    # Cochran's Q across species (recomputed by the reviewer: 10.46 on 2 df, p 0.005) and of
    # sex within each species (one Q per species, summed: 2.72 on 3 df), each Holm-adjusted over
    # its grouping's 6 pairs (island too, said to be confounded: Torgersen holds only Adelie)
    by_group, by_cells = relationship["by_group"], relationship["by_cells"]
    assert (by_group["test"]["q"], by_group["test"]["p"]) == pytest.approx(
        (10.46, 0.0053), abs=0.01
    )
    assert (by_cells["test"]["q"], by_cells["test"]["df"]) == pytest.approx((2.721, 3), abs=0.001)
    assert set(by_cells["test"]["within"]) == {"Adelie", "Chinstrap", "Gentoo"}
    assert relationship["tests_in_family"] == 6
    assert by_group["test"]["p_adjusted"] == pytest.approx(0.0214, abs=0.001)
    # species × sex held fixed: the cells' r averaged on Fisher's z, weighted by n − 3
    held = by_cells["held_fixed"]
    assert (held["value"], held["low"], held["high"]) == pytest.approx(
        (0.235, 0.128, 0.336), abs=0.001
    )
    assert (
        by_cells["within"]["Adelie / male"]["low"] < 0 < by_cells["within"]["Adelie / male"]["high"]
    )
    report_md = (project / "reports" / "report.md").read_text(encoding="utf-8")
    assert (
        "- Equal correlations across sex within each species: not rejected (Q = 2.7 on 3 df, "
        "summed over Adelie, Chinstrap and Gentoo, Holm-adjusted over the grouping's pairs, "
        "p = 1.000)."
    ) in report_md
    # no average over species whose correlations differ (DECISIONS: no common value)
    assert "0.23" not in report_md.split("## Bill depth against bill length")[1].split("##")[0]
    assert "rejected (Q = 10.5 on 2 df, Holm-adjusted over the grouping's pairs, p = 0.021)" in (
        report_md
    )
    pairs = figures["pairs"]["values"]
    assert pairs["strongest_r"] == pytest.approx(0.871, abs=0.001)
    assert pairs["label"] == "groups differ"  # no common held-fixed value: each species' own
    # the scatter plot's pair (bill length × depth) is the weakest: no "after" it
    assert figures["pairs"]["finding"].startswith("The strongest pooled relation")
    assert "after the scatter" not in figures["pairs"]["finding"]
    by_species = figures["correlation"]["values"]["groupings"]["species"]
    reversed_pairs = {(c["a"], c["b"]) for c in by_species if c["label"] == "reversed"}
    assert reversed_pairs == {
        ("bill_length_mm", "bill_depth_mm"),
        ("bill_depth_mm", "flipper_length_mm"),
        ("bill_depth_mm", "body_mass_g"),
    }
    correlation = figures["correlation"]
    # the groups that differ are counted over every pair, the reversed ones too
    assert correlation["finding"].startswith(
        "With species held fixed, 3 of the 6 pooled correlations reverse sign; the species "
        "groups' own correlations differ for 4 of the 6 pairs;"
    )
    # bill length × flipper length: its species groups differ, so it is no "mostly between"
    assert "| bill length × flipper length | 0.66 | equal correlations rejected, p = 0.005 |" in (
        report_md
    )
    assert "largest change" not in correlation["finding"]  # the labels say it; details rank
    assert any(
        "reverse sign (bill length × bill depth, bill depth × flipper length, bill depth × body "
        "mass)" in sentence
        for sentence in correlation["details"]
    )
    # the p is the test that the species' correlations are equal, and says so
    assert (
        "| bill length × bill depth | -0.24 | reversed; equal correlations rejected, p = 0.021 |"
        in (report_md)
    )
    # a cell whose own interval holds 0 is never called reversed
    assert "| reversed; 3 of 6 groups' 95% CIs include 0 |" in report_md
    # island, tested: its groups differ, so no averaged value; Biscoe (Adelie and Gentoo) keeps
    # the pooled sign with its interval clear of 0, and is not counted as including 0
    assert "| -0.47 | reversed | equal correlations rejected, p < 0.001 | holds |" in report_md
    bill_mass = figures["correlation"]["values"]["groupings"]["species × year"][4]
    assert (bill_mass["unclear_groups"], bill_mass["against_groups"]) == (["Chinstrap / 2007"], [])
    # groups under 25 rows are named, not dropped silently
    assert (
        "- Left out of species × year, under 25 rows: Chinstrap / 2009 (n = 24), Chinstrap / "
        "2008 (n = 18)." in report_md
    )
    assert figures["composition"]["finding"] == (
        "Biscoe has the most penguins in this data set: 168 of 344, then Dream with 124 "
        "(counts set by the islands visited, not estimates); Torgersen has "
        "only Adelie; Chinstrap only in Dream; Gentoo only in Biscoe."
    )
    # the year is a category, checked like any other grouping: no test rejects
    by_year = figures["correlation"]["values"]["groupings"]["year"]
    assert all(not c["label"] and c["test"]["p_adjusted"] > 0.05 for c in by_year)
    assert (
        "- Equal correlations by year: rejected for 0 of 6 pairs (smallest adjusted p = 0.604)."
    ) in report_md
    # island mixes species differently: said; the clean test compares islands within Adelie
    # (reviewer: bill length × depth r 0.47 / 0.51 / 0.25, Q p = 0.27)
    assert (
        "- Island is confounded with species (Biscoe: Adelie and Gentoo; Dream: Adelie and "
        "Chinstrap; Torgersen: Adelie): a difference between its groups may be that of the "
        "species groups in them; island within Adelie compares like with like." in report_md
    )
    assert "- Equal correlations by island within Adelie: rejected for 0 of 6 pairs" in report_md
    by_island = figures["correlation"]["values"]["groupings"]["species × island"][0]
    assert set(by_island["test"]["within"]) == {"Adelie"}
    assert by_island["test"]["p"] == pytest.approx(0.272, abs=0.001)
    for figure in figures.values():
        for name in figure["files"]:
            assert (project / "reports" / name).stat().st_size > 1000
    _assert_no_text_overlaps(project)

    readme = (project / "README.md").read_text(encoding="utf-8")
    headline = readme.split("<!-- headline:start -->")[1].split("<!-- headline:end -->")[0]
    # the first screen: pooled, within each species (the drawn lines), then within each
    # species and sex (the range, no average), the figure, then at most three lines
    assert headline.strip().startswith(
        "**Pooled over all penguins, bill depth falls with bill length (r = -0.24), but within "
        "every species it rises (r +0.39 to +0.65); within each species-and-sex group, r -0.04 "
        "to +0.45; 3 of the 6 groups' 95% CIs include 0.**\n\n![Bill depth against bill length]"
    )
    assert "0.23" not in headline
    assert "- Distribution of body mass by species: Gentoo has the highest median body mass" in (
        headline
    )
    assert len([line for line in headline.splitlines() if line.startswith("- ")]) <= 3
    assert "- Dashed line: pooled, r = -0.24 (95% CI -0.33 to -0.13)." in headline
    # nest IDs recur across seasons: counted, and said to label nests, not birds
    repeats = figures["subgroups"]["values"]["repeated_ids"]
    assert (repeats["in_several_seasons"], repeats["with_several_sexes"]) == (40, 8)
    assert "IDs label nests, not birds: 40 of the " in report_md
    assert figures["subgroups"]["values"]["holds_in_every_group"] is True
    assert "(reports/figures/relationship.png)" in headline
    # the violins rank every measurement by η², the title's winner first; the finding names
    # the measurement the species separate most and the species that drives it
    assert "eta_squared_body_mass_g" in figures["measurements"]["values"]
    assert figures["measurements"]["finding"] == (
        "Flipper length separates the species groups best, η² = 0.78 (95% CI 0.75 to 0.81): "
        "Gentoo's median is 20 mm (95% CI 18 to 23) above Chinstrap's, the nearest."
    )
    results = _results(project)
    assert REAL_SAMPLE_WARNING not in results
    assert "![Distribution of body mass by species](reports/figures/distribution.png)" in results
    assert "**Finding:** Gentoo has the highest median body mass" in results
    # the missing sex: tested over the measured birds only (two have no measurement at all)
    assert (
        "| no sex | 9 of the 342 measured penguins (3%); causes in the field notes "
        "(penguins-raw.csv): no blood sample obtained 4 (both partners of 2 nests), sexing "
        "primers did not amplify 5; most often in Torgersen (4 of 51, p = 0.029, the smallest "
        "of 3 unadjusted tests; Holm p = 0.088); 2 more penguins have no measurement at all |"
    ) in results
    assert "  - Island (p = 0.029): Torgersen 4 of 51, Biscoe 4 of 167, Dream 1 of 124." in (
        report_md
    )
    assert "](figures/pairs.png)" in (project / "reports" / "report.md").read_text()


def _check_wholesale_gallery(project) -> None:
    metrics = _metrics(project)
    assert metrics["provenance"]["kind"] == "file"
    assert metrics["provenance"]["sha256"].startswith("c3d018c64356")
    assert metrics["rows"] == 440
    _assert_every_finding_has_an_interval(metrics)
    figures = {figure["name"]: figure for figure in metrics["figures"]}
    # the main measurement: the category channel separates most (largest η²), not column order
    assert figures["distribution"]["title"].startswith("Distribution of spending on detergents")
    assert figures["distribution"]["values"]["median_Horeca"] == 385.5
    assert figures["distribution"]["values"]["median_Retail"] == 5614.5
    # subgroups.png writes each cell's n beside it; metrics.json holds the same counts
    cell_rows = figures["subgroups"]["values"]["cell_rows"]
    assert cell_rows["Horeca / Other region"] == 211 and cell_rows["Retail / Lisbon"] == 18
    # 18 clients: the median's exact interval (from 6 values), but no difference's (under 25)
    lisbon = figures["subgroups"]["values"]["medians"]["Retail / Lisbon"]
    assert lisbon["value"] == 6177 and lisbon["low"] is not None
    assert figures["subgroups"]["values"]["holds_in_every_group"] is False
    # ties in the project's own phrasing, Horeca named once, the small cells named with their n
    assert figures["subgroups"]["finding"] == (
        "In Horeca, median spending on detergents and paper of each region minus Lisbon: no "
        "difference detectable; the intervals allow Oporto -370 to +130 m.u. and Other "
        "region -310 to +100 m.u. (95% CI); not tested, under 25 rows: Retail Lisbon "
        "n = 18, Oporto n = 19."
    )

    # the table's smallest value, 3 m.u., recurs in four categories: counted in the summary
    floor = metrics["repeated_minima"]
    assert floor["minimum"] == 3.0 and (floor["values"], floor["rows"]) == (9, 8)
    assert floor["columns"] == {"Fresh": 2, "Grocery": 1, "Detergents_Paper": 2, "Delicassen": 4}
    assert figures["composition"]["finding"] == (
        "Other region has the most clients in this data set: 316 of 440, then Lisbon with 77 "
        "(counts of this client list, not estimates)."
    )
    assert figures["shares"]["finding"].startswith(
        "The spending mix differs by channel: in Horeca Fresh products leads (50%"
    )
    assert (
        "pooled over all clients, Fresh products is the largest share of the yearly spending, "
        in (figures["shares"]["finding"])
    )
    # Retail's leader differs from the pooled one, Horeca's (298 of 440) does not: a mixture,
    # worded as a mix that differs by channel, never as a reversal
    assert figures["shares"]["values"]["largest_share_within"] == {"Retail": "Grocery"}
    assert figures["shares"]["values"]["ranking_reversed"] is False
    assert "revers" not in figures["shares"]["finding"] + figures["shares"]["summary"]
    assert figures["correlation"]["values"]["method"] == "spearman"
    # the scatter plot shows grocery × detergents; the pair grid's finding is about the next
    assert figures["pairs"]["values"]["strongest_pair"] == "Milk / Grocery"
    assert figures["pairs"]["finding"] != figures["relationship"]["finding"]
    assert figures["pairs"]["finding"].startswith(
        "The next strongest pooled relation after grocery × detergents and paper is between "
        "milk products and grocery"
    )
    # pooled grocery × frozen is −0.17; within each channel ρ is about 0.02: it vanishes
    by_channel = figures["correlation"]["values"]["groupings"]["Channel"]
    [grocery_frozen] = [c for c in by_channel if (c["a"], c["b"]) == ("Grocery", "Frozen")]
    assert grocery_frozen["label"] == "vanishes within groups"
    assert "3 of the 15 pooled correlations vanish" in figures["correlation"]["finding"]
    # grocery × detergents: the channels' ρ differ (Q), so each is given, not one held-fixed ρ
    [grocery_detergents] = [
        c for c in by_channel if {c["a"], c["b"]} == {"Grocery", "Detergents_Paper"}
    ]
    assert grocery_detergents["held_fixed"]["value"] == pytest.approx(0.667, abs=0.001)
    assert (
        "the channel groups' own correlations differ (Spearman ρ +0.53 to +0.85, each 95% CI "
        "above 0)" in figures["relationship"]["finding"]
    )
    # region within each channel: the 4 cells of 25 rows or more, each given, not averaged
    assert figures["relationship"]["finding"].endswith(
        "; within each channel-and-region group, Spearman ρ +0.50 to +0.83, each 95% CI above 0."
    )
    # the groups that differ are counted over every pair, whatever its label
    assert "own correlations differ for 1 of the 15 pairs" in figures["correlation"]["finding"]
    # one minimum group size (25): Retail Lisbon (18) and Oporto (19) are neither compared by
    # median nor tested for correlations; milk × grocery by region is then tested in Horeca only
    assert "not rejected (Q = 9.1 on 2 df, summed over Horeca, Holm-adjusted" in (
        project / "reports" / "report.md"
    ).read_text(encoding="utf-8")
    # fresh × grocery (pooled −0.12): held fixed it is not shown, Retail's own interval is
    # clear of 0 and named (Q p 0.005, Holm over channel's 15 pairs 0.065: not "differs")
    assert any(
        "holds only in some channel groups (fresh products × grocery: Retail -0.21, 95% CI "
        "-0.37 to -0.04)" in d
        for d in figures["correlation"]["details"]
    )
    assert any("vanish (grocery × frozen products" in d for d in figures["correlation"]["details"])
    for figure in figures.values():
        assert not re.search(r"\. [A-Z]", figure["finding"]), figure["name"]  # one sentence
    # the headline is the shares chart (a leader that differs by group before any η² or r²),
    # both channels in one sentence
    readme = (project / "README.md").read_text(encoding="utf-8")
    headline = readme.split("<!-- headline:start -->")[1].split("<!-- headline:end -->")[0]
    assert "The spending mix differs by channel: in Horeca (298 of 440 clients)" in headline
    assert "in Retail (142 of 440 clients) Grocery leads" in headline
    # the runner-up within Retail, not the pooled leader
    assert "Retail (its markers): Grocery 35% (95% CI 33% to 37%), Milk products 23%" in headline
    assert "figures/shares.png" in headline
    _assert_no_text_overlaps(project)

    results = _results(project)
    assert REAL_SAMPLE_WARNING not in results
    assert "reports/figures/shares.png" not in results  # the headline's figure, shown once
    assert "**Finding:** Retail has the higher median spending on detergents and paper" in results
    # no reversal or confounding claimed on a correlation whose pooled or held-fixed interval
    # holds zero (milk × frozen: pooled -0.09, held fixed 0.10 with 0.00 at its low end)
    assert "wrong question" not in readme and "Model `Frozen` on `Milk`" not in readme


@pytest.mark.slow
def test_csv_gallery_from_a_real_file_given_at_run_time(render, tmp_path):
    # A user's own file: the real Wholesale table, given with --csv from outside data/raw/.
    project = render("dataviz", dataset="csv")
    source = SHARED_DATA / "wholesale_customers.csv"
    run_in_project(project, "-m", PACKAGE, "all", "--csv", str(source))

    metrics = _metrics(project)
    assert metrics["provenance"]["kind"] == "file"
    assert metrics["provenance"]["sha256"].startswith("c3d018c64356")
    assert metrics["rows"] == 440 and metrics["columns"] == 8
    _assert_every_finding_has_an_interval(metrics)
    figures = {figure["name"]: figure for figure in metrics["figures"]}
    assert "trend" not in figures  # no date column
    # Channel (1/2) and Region (1/2/3) are codes: categories, not measurements.
    assert figures["composition"]["finding"].startswith(
        "Region 3 has the most rows in this data set: 316 of 440"
    )
    assert figures["correlation"]["values"]["method"] == "spearman"  # skewed spending
    groupings = set(figures["correlation"]["values"]["groupings"])
    assert groupings == {"Channel", "Region", "Channel × Region"}  # and their crossed cells
    assert REAL_SAMPLE_WARNING not in _results(project)
    _assert_no_text_overlaps(project)

    # The same file without its header row: every row is data, the columns get names.
    headerless = tmp_path / "no-header.csv"
    headerless.write_text("".join(source.read_text().splitlines(keepends=True)[1:]))
    completed = run_in_project(project, "-m", PACKAGE, "data", "--csv", str(headerless))
    assert "440 rows" in completed.stdout
    schema = json.loads((project / "data" / "processed" / "table.json").read_text())
    assert "no header row" in schema["schema"]["title"]


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "No CSV file at"),
        ("", "is empty"),
        ("id,note\n" + "".join(f"x{i},free text {i}\n" for i in range(30)), "no column to chart"),
        # a separator the sniffer does not know: one column, never charted as such
        ("a:b\n" + "".join(f"{i}:{i * 2}\n" for i in range(30)), "split alike by ':'"),
    ],
    ids=["missing", "empty", "nothing-to-chart", "one-column"],
)
def test_csv_that_cannot_be_used_is_one_clear_message(render, tmp_path, content, message):
    project = render("dataviz", dataset="csv")
    path = tmp_path / "mine.csv"
    if content is not None:
        path.write_text(content)
    completed = run_in_project(project, "-m", PACKAGE, "data", "--csv", str(path), check=False)
    assert completed.returncode == 1
    assert message in completed.stderr and "Traceback" not in completed.stderr
    assert not (project / "data" / "processed" / "table.csv").exists()


OFFLINE = f"""
import dataclasses, sys
from {PACKAGE} import wholesale
from {PACKAGE}.cli import app

wholesale.RAW = dataclasses.replace(wholesale.RAW, url="http://127.0.0.1:9/offline.zip")
sys.argv = ["{PACKAGE}", "data"]
app()
"""


def test_wholesale_without_network_or_file_explains_itself(render):
    project = render("dataviz", dataset="wholesale")
    completed = run_in_project(project, "-c", OFFLINE, check=False)
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert "data/raw/Wholesale customers data.csv" in completed.stderr
    assert "--sample" in completed.stderr


@pytest.mark.slow
def test_sample_run_is_labelled_and_deterministic(render):
    project = render("dataviz", dataset="csv")
    runs = []
    for _ in range(2):
        run_in_project(project, "-m", PACKAGE, "all", "--sample")
        runs.append(_metrics(project))
    assert runs[0] == runs[1]
    assert runs[0]["provenance"]["kind"] == "sample"
    assert "trend" in [figure["name"] for figure in runs[0]["figures"]]  # the date column
    assert _results(project).lstrip().startswith("> [!WARNING]")
