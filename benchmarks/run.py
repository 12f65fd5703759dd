"""Start-up and throughput benchmark for priorcli.

    python benchmarks/run.py [--runs N] [--quick] [--only NAME[,NAME...]] [--output PATH]
    python benchmarks/run.py --only input-txt,input-pipe,input-npy,input-npy-load   # just the --input rows

Every command runs as a subprocess of the interpreter running this script
(`sys.executable -m priorcli ...`), so the script works in any environment where priorcli is
installed (or from the repository root). The shared machines are noisy, so every figure is a
ratio against a reference command run in the same invocation: reference and target runs are
interleaved (ref, target, ref, target, ...), one warm-up run of each command is discarded
first, and the reported ratio is the median of the per-pair ratios over N runs. Peak RSS is the
child's own ru_maxrss, read with os.wait4 on that child's pid (RUSAGE_CHILDREN would be a
running maximum over all children).

The results table is printed and written, with a description of the machine, to
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import importlib.metadata
import importlib.util
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable
NUMPY_REF = str(HERE / "numpy_reference.py")
NUMPY_INPUT_REF = str(HERE / "numpy_input_reference.py")
MIB = 1024 * 1024
# Input files for the `summarize --input` rows, written once (seeded) and reused between runs.
INPUT_DIR = Path(os.environ.get("PRIORCLI_BENCH_DATA", Path(tempfile.gettempdir()) / "priorcli-bench-inputs"))
INPUT_N = 5_000_000
TRUNCATED_GAMMA = ["sample", "gamma", "--concentration", "0.5", "--rate", "2", "-n", "20000", "--format", "json"]


# ---------------------------------------------------------------------------------------------
# Rows


@dataclasses.dataclass
class Row:
    name: str  # for --only
    what: str  # display: the priorcli command
    args: list[str]  # arguments after `priorcli`
    ref_label: str  # display: the reference
    ref_argv: list[str] | None  # None: absolute goal only
    goal_ratio: float | None = None
    goal_seconds: float | None = None
    goal_rss_mib: float | None = None
    goal_rss_ratio: float | None = None  # peak RSS against the reference's
    inputs: bool = False  # needs the files of write_input_files()
    target_argv: list[str] | None = None  # instead of `python -m priorcli ARGS` (a pipeline, say)
    big: bool = False  # skipped by --quick
    script: bool = True  # also time the console script
    note: str = ""
    # A helper to run instead of `priorcli ARGS` that measures a part itself and prints
    # `seconds=X` as its last line: that figure is reported instead of the wall time.
    helper: list[str] | None = None
    env: dict | None = None  # extra environment of the priorcli runs (a shell-completion query)


def rows() -> list[Row]:
    typer_ref = [PY, "-c", "import typer"]
    numpyro_ref = [PY, "-c", "import numpyro"]
    out = [
        Row("solve-mode", "`priorcli solve --mode 1 --sigma 0.5`", ["solve", "--mode", "1", "--sigma", "0.5"],
            '`python -c "import typer"`', typer_ref, goal_ratio=2.5),
        Row("help", "`priorcli --help`", ["--help"],
            '`python -c "import typer"`', typer_ref, goal_ratio=2.5),
        Row("solve-help", "`priorcli solve --help`", ["solve", "--help"],
            '`python -c "import typer"`', typer_ref, goal_ratio=2.5),
        Row("sample-family-help", "`priorcli sample gamma --help` (the family's parameters and targets)",
            ["sample", "gamma", "--help"], '`python -c "import typer"`', typer_ref, goal_ratio=2.5),
        Row("complete-param", "a shell completion query: `priorcli sample gamma --r<TAB>` (bash)", [],
            '`python -c "import typer"`', typer_ref, goal_ratio=2.5,
            env={"_PRIORCLI_COMPLETE": "complete_bash", "COMP_WORDS": "priorcli sample gamma --r", "COMP_CWORD": "3"}),
        Row("sample-10k", "`priorcli sample lognormal --mu 0 --sigma 1` (10k draws, table and histogram)",
            ["sample", "lognormal", "--mu", "0", "--sigma", "1"],
            '`python -c "import numpyro"`', numpyro_ref, goal_ratio=1.2),
        # For information: the same run ending in the interpreter's ordinary shutdown (priorcli.cli.run
        # instead of main, which exits without tearing jax and numpyro down; see main's docstring).
        Row("sample-10k-teardown", "`priorcli sample lognormal --mu 0 --sigma 1` with the interpreter's ordinary "
            "shutdown (`priorcli.cli.run`), for information",
            ["sample", "lognormal", "--mu", "0", "--sigma", "1"], '`python -c "import numpyro"`', numpyro_ref,
            script=False, target_argv=[PY, "-c", "import sys; from priorcli.cli import run; sys.argv = ['priorcli', "
                                       "'sample', 'lognormal', '--mu', '0', '--sigma', '1']; run()"]),
        Row("sample-1e7", "`priorcli sample lognormal -n 10000000 --format json`",
            ["sample", "lognormal", "-n", "10000000", "--format", "json"],
            "numpy alone (`numpy_reference.py 10000000`)", [PY, NUMPY_REF, "10000000"], goal_ratio=1.0),
        # Issue 24 item 3: 1e7 draws summarised (7 quantiles, mean, sd, a 60-bin log histogram)
        # within 2x numpy doing the same; the 1e8 row keeps its memory bound and its 0.55x.
        Row("sample-1e7-logx", "`priorcli sample lognormal --mu 0 --sigma 1 -n 10000000 --log-x` "
            "(table and 60-bin log histogram)", ["sample", "lognormal", "--mu", "0", "--sigma", "1", "-n", "10000000",
                                                 "--log-x"],
            "numpy alone (`numpy_reference.py 10000000 --log-bins 60`)", [PY, NUMPY_REF, "10000000", "--log-bins", "60"],
            goal_ratio=2.0),
        Row("sample-1e8", "`priorcli sample lognormal -n 100000000 --format json`",
            ["sample", "lognormal", "-n", "100000000", "--format", "json"],
            "numpy alone (`numpy_reference.py 100000000`)", [PY, NUMPY_REF, "100000000"],
            goal_ratio=0.55, goal_rss_mib=400, big=True, script=False),
        # Truncated draws solved by Newton on jax's incomplete gamma (no gammaincinv): a shape below 1 made
        # each step ~10x dearer while the ends were evaluated beside the draw (5.2 s, 7.8x; dists/truncated.py)
        Row("sample-truncated-gamma", "`priorcli sample gamma --concentration 0.5 --rate 2 --truncate ,1.5 -n 20000 "
            "--format json`", [*TRUNCATED_GAMMA, "--truncate", ",1.5"],
            "the same Gamma untruncated (its draws by numpyro's own sampler)", [PY, "-m", "priorcli", *TRUNCATED_GAMMA],
            goal_ratio=2.5),
    ]
    out += input_rows()
    out += repeat_rows()
    out.append(numpyro_file_row())
    out.append(predictive_solve_row())
    gamma = ["solve", "gamma", "--lower", "1", "--upper", "10", "--mass", "0.9"]
    if importlib.util.find_spec("preliz") is not None:
        preliz = [PY, "-c", "import preliz as pz; pz.maxent(pz.Gamma(), 1, 10, 0.9, plot=False)"]
        out.append(Row("solve-gamma-cold", "`priorcli solve gamma --lower 1 --upper 10 --mass 0.9`, cold",
                       gamma, "PreliZ import + first maxent (measured)", preliz, goal_seconds=1.2))
    else:
        out.append(Row("solve-gamma-cold", "`priorcli solve gamma --lower 1 --upper 10 --mass 0.9`, cold",
                       gamma, "PreliZ import + first maxent (not installed; ~2.3 s per the issue)", None,
                       goal_seconds=1.2))
    two_q = ["solve", "gamma", "--quantile", "0.25=0.5", "--quantile", "0.75=2.5"]
    out.append(Row("solve-3q-cold", "`priorcli solve gamma --quantile 0.25=0.5 --quantile 0.5=1 --quantile 0.75=2.5` "
                   "(least squares), cold", two_q[:4] + ["--quantile", "0.5=1"] + two_q[4:],
                   "`priorcli solve gamma --quantile 0.25=0.5 --quantile 0.75=2.5` (exact), cold",
                   [PY, "-m", "priorcli", *two_q], goal_ratio=1.5))
    auto = ["solve", "--family", "auto", "--quantile", "0.05=0.5", "--quantile", "0.5=1.5", "--quantile", "0.95=6"]
    out.append(Row("solve-auto-cold", "`priorcli solve --family auto` (three quantiles, every continuous family), "
                   "cold", auto, "none (absolute goal; jax is not imported, see tests/test_ranking.py)", None,
                   goal_seconds=3.0))
    explore = str(HERE / "explore_bench.py")
    out.append(Row("explore-first-frame", "`priorcli explore lognormal`: first full frame on an 80x24 pty, cold",
                   ["explore", "lognormal"], '`python -c "import numpy, scipy.special, textual.app"` (its unavoidable imports)',
                   [PY, "-c", "import numpy, scipy.special, textual.app"], goal_seconds=1.5, script=False,
                   helper=[PY, explore, "first-frame"]))
    out.append(Row("explore-update", "`priorcli explore`: one parameter step of LogNormal (state, summary, plot text)",
                   ["explore", "lognormal"], "none (absolute goal)", None, goal_seconds=0.05, script=False,
                   helper=[PY, explore, "update"]))
    out.append(Row("explore-chip", "`priorcli explore --roulette`: one chip press handled and redrawn while the ranking runs",
                   ["explore", "--roulette"], "none (absolute goal)", None, goal_seconds=0.05, script=False,
                   helper=[PY, explore, "chip"]))
    out.append(Row("explore-rank", "`priorcli explore --roulette`: ranking 400 chips in 16 bins over 18 families, cold",
                   ["explore", "--roulette"], "none (absolute goal: solve --family auto's 3 s)", None,
                   goal_seconds=3.0, script=False, helper=[PY, explore, "rank"]))
    return out


def input_rows() -> list[Row]:
    txt, npy = str(INPUT_DIR / "big.txt"), str(INPUT_DIR / "big.npy")
    summarize = ["summarize", "--input"]
    tail = ["--no-plot", "--format", "json"]
    n = f"{INPUT_N:,}"
    return [
        Row("input-txt", f"`priorcli summarize --input big.txt --no-plot --format json` ({n} lines)",
            [*summarize, txt, *tail], "`numpy.loadtxt` + `numpy.quantile` (`numpy_input_reference.py loadtxt`)",
            [PY, NUMPY_INPUT_REF, "loadtxt", txt], goal_ratio=1.5, goal_rss_ratio=1.5, inputs=True),
        Row("input-npy", f"`priorcli summarize --input big.npy --no-plot --format json` ({n} values)",
            [*summarize, npy, *tail], "`numpy.load` + `numpy.quantile` (`numpy_input_reference.py load`)",
            [PY, NUMPY_INPUT_REF, "load", npy], goal_ratio=1.2, goal_rss_ratio=1.5, inputs=True),
        Row("input-pipe", f"`cat big.txt | priorcli summarize --input - --no-plot --format json` ({n} lines)",
            [], "`cat big.txt | numpy_input_reference.py loadtxt -` (`numpy.loadtxt(sys.stdin)` + `numpy.quantile`)",
            _piped(txt, [PY, NUMPY_INPUT_REF, "loadtxt", "-"]), goal_ratio=1.5, goal_rss_ratio=1.5, inputs=True,
            script=False, target_argv=_piped(txt, [PY, "-m", "priorcli", *summarize, "-", *tail])),
        Row("input-npy-load", f"`priorcli summarize --input big.npy --no-plot --format json` ({n} values)",
            [*summarize, npy, *tail], "`numpy.load` alone (`numpy_input_reference.py load-only`), for information",
            [PY, NUMPY_INPUT_REF, "load-only", npy], inputs=True, script=False),
    ]


def repeat_rows() -> list[Row]:
    """Issue 24: what a script calling priorcli many times pays (each figure one such script)."""
    help_ref = [PY, "-m", "priorcli", "--help"]
    return [
        Row("sweep-20-values", "20 runs of `priorcli sample weibull --scale S --concentration 1.5`, "
            "a new S every run (`2.<nanoseconds>`)", [], "the same 20 runs with S = 2 every time (sweep-20-same)",
            _sweep("2"), goal_ratio=1.1, script=False, target_argv=_sweep("2.$(date +%N)")),
        Row("list", "`priorcli list` (the registry read from its cache)", ["list"], "`priorcli --help`", help_ref,
            goal_ratio=2.0),
        Row("info-gamma", "`priorcli info gamma` (the registry read from its cache)", ["info", "gamma"],
            "`priorcli --help`", help_ref, goal_ratio=2.0),
        Row("info-vonmises", "`priorcli info vonmises` (a family without a record)", ["info", "vonmises"],
            "`priorcli --help`", help_ref, goal_ratio=2.0),
    ]


def numpyro_file_row() -> Row:
    """Issue 22: the prior predictive of a user's numpyro file against Predictive in a bare script."""
    model, x = str(HERE / "numpyro_model.py"), ",".join(f"{0.1 * i:.1f}" for i in range(50))
    return Row("numpyro-file", "`priorcli sample --numpyro numpyro_model.py:model --data x=... -n 10000 --format json` "
               "(50 rows)", ["sample", "--numpyro", f"{model}:model", "--data", f"x={x}", "-n", "10000", "--format",
                             "json"],
               "`Predictive` on the same file in a bare script (`numpyro_file_reference.py`)",
               [PY, str(HERE / "numpyro_file_reference.py"), "10000", x], goal_ratio=1.5, script=False)


PREDICTIVE_MODEL = "mu ~ Normal(m, 1); tau ~ HalfNormal(s); y ~ Normal(mu, tau)"


def predictive_solve_row() -> Row:
    """Issue 22: a two-hyperparameter predictive solve (m, s) on a 3-variable model against a plain
    `sample --model` of the same model (m and s given as --data numbers)."""
    common = ["-n", "4000", "--format", "json"]
    return Row("predictive-solve", f"`priorcli solve --model '{PREDICTIVE_MODEL}' --quantile y:0.05=-1 --quantile "
               "y:0.95=3 -n 4000 --format json`",
               ["solve", "--model", PREDICTIVE_MODEL, "--quantile", "y:0.05=-1", "--quantile", "y:0.95=3", *common],
               "`priorcli sample --model` of the same model with `--data m=0 --data s=1`",
               [PY, "-m", "priorcli", "sample", "--model", PREDICTIVE_MODEL, "--data", "m=0", "--data", "s=1",
                *common], goal_ratio=3.0, script=False)


def _sweep(scale: str) -> list[str]:
    """20 runs of `sample weibull --scale SCALE` in one shell (SCALE is expanded by it, per run)."""
    run = f"{shlex.join([PY, '-m', 'priorcli', 'sample', 'weibull'])} --scale {scale} --concentration 1.5"
    return ["sh", "-c", f"for i in $(seq 20); do {run} > /dev/null || exit 1; done"]


def _piped(path: str, argv: list[str]) -> list[str]:
    """`cat PATH | argv` through sh; wait4's peak RSS covers the pipeline (the children's too)."""
    return ["sh", "-c", f"cat {shlex.quote(path)} | {shlex.join(argv)}"]


def write_input_files(log) -> None:
    """Gamma(2, 1) draws, one per line as `%.10g` (about 12 bytes a line), and the same as .npy."""
    INPUT_DIR.mkdir(parents=True, exist_ok=True)
    txt, npy = INPUT_DIR / "big.txt", INPUT_DIR / "big.npy"
    if txt.is_file() and npy.is_file():
        return
    import numpy as np

    log(f"writing {INPUT_N:,} draws to {txt} and {npy}")
    x = np.random.default_rng(0).gamma(2.0, 1.0, INPUT_N)
    np.savetxt(txt, x, fmt="%.10g")
    np.save(npy, x)


# ---------------------------------------------------------------------------------------------
# Running one command


@dataclasses.dataclass
class Run:
    seconds: float
    rss_kib: int
    code: int
    timed_out: bool
    stderr_tail: str


def run_once(argv: list[str], timeout: float, reported: bool = False, env: dict | None = None) -> Run:
    """Run argv once; wall time around Popen..wait4 (or, with ``reported``, the ``seconds=X`` the
    child prints last), peak RSS of that child alone; ``env`` is added to the environment."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        done = threading.Event()
        killed = threading.Event()
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=REPO,
                                env=None if env is None else {**os.environ, **env})

        def kill() -> None:
            if not done.is_set():
                killed.set()
                try:
                    proc.kill()
                except OSError:
                    pass

        timer = threading.Timer(timeout, kill)
        timer.daemon = True
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        t1 = time.perf_counter()
        done.set()
        timer.cancel()
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code  # reaped by wait4; keep Popen from waiting again
        rss = usage.ru_maxrss if sys.platform.startswith("linux") else usage.ru_maxrss // 1024
        tail = ""
        if reported and code == 0:
            out.seek(0)
            last = (out.read().decode("utf-8", "replace").strip().splitlines() or [""])[-1]
            if last.startswith("seconds="):
                t0, t1 = 0.0, float(last.split("=", 1)[1])
        if code != 0:
            err.seek(0)
            tail = err.read()[-600:].decode("utf-8", "replace").strip()
        return Run(t1 - t0, int(rss), code, killed.is_set(), tail)


# ---------------------------------------------------------------------------------------------
# Measuring one row


@dataclasses.dataclass
class Result:
    row: Row
    target_argv: list[str]
    script_argv: list[str] | None
    target: list[Run] = dataclasses.field(default_factory=list)
    ref: list[Run] = dataclasses.field(default_factory=list)
    script: list[Run] = dataclasses.field(default_factory=list)
    failure: str = ""  # target failed
    ref_failure: str = ""
    script_failure: str = ""


def describe_failure(run: Run, timeout: float) -> str:
    return f"failed (timeout {timeout:g} s)" if run.timed_out else f"failed (exit {run.code})"


def measure(row: Row, runs: int, timeout: float, script_path: str | None, log) -> Result:
    target_argv = row.helper or row.target_argv or [PY, "-m", "priorcli", *row.args]
    script_argv = [script_path, *row.args] if (script_path and row.script) else None
    res = Result(row, target_argv, script_argv)
    cmds = []  # (kind, argv) in interleaving order: ref, target, script
    if row.ref_argv is not None:
        cmds.append(("ref", row.ref_argv))
    cmds.append(("target", target_argv))
    if script_argv is not None:
        cmds.append(("script", script_argv))

    def note_failure(kind: str, run: Run) -> None:
        msg = describe_failure(run, timeout)
        log(f"    {kind} {msg}: {run.stderr_tail.splitlines()[-1] if run.stderr_tail else ''}")
        if kind == "target":
            res.failure = msg
        elif kind == "ref":
            res.ref_failure = msg
        else:
            res.script_failure = msg

    # Warm-up: page cache, .pyc files, jax's persistent compilation cache.
    def env_of(kind: str) -> dict | None:
        return None if kind == "ref" else row.env

    for kind, argv in cmds:
        r = run_once(argv, timeout, env=env_of(kind))
        log(f"  warm-up {kind:6s} {r.seconds:7.3f} s  {r.rss_kib / 1024:7.1f} MiB  exit {r.code}")
        if r.code != 0:
            note_failure(kind, r)
    if res.failure:
        return res
    cmds = [(k, a) for k, a in cmds if not (k == "ref" and res.ref_failure) and not (k == "script" and res.script_failure)]

    for i in range(runs):
        for kind, argv in cmds:
            if (kind == "ref" and res.ref_failure) or (kind == "script" and res.script_failure):
                continue
            r = run_once(argv, timeout, reported=kind == "target" and row.helper is not None, env=env_of(kind))
            log(f"  run {i + 1}/{runs} {kind:6s} {r.seconds:7.3f} s  {r.rss_kib / 1024:7.1f} MiB  exit {r.code}")
            if r.code != 0:
                note_failure(kind, r)
                if kind == "target":
                    return res
                continue
            getattr(res, kind).append(r)
    return res


# ---------------------------------------------------------------------------------------------
# Report


def med(runs: list[Run]) -> float | None:
    return statistics.median(r.seconds for r in runs) if runs else None


def pair_ratio(target: list[Run], ref: list[Run]) -> float | None:
    n = min(len(target), len(ref))
    if n == 0:
        return None
    return statistics.median(t.seconds / r.seconds for t, r in zip(target[:n], ref[:n]))


def fmt_s(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def peak_mib(runs: list[Run]) -> float | None:
    return max(r.rss_kib for r in runs) / 1024 if runs else None


def table_row(res: Result) -> list[str]:
    row = res.row
    goal = []
    if row.goal_ratio is not None:
        goal.append(f"<= {row.goal_ratio:g}x")
    if row.goal_seconds is not None:
        goal.append(f"<= {row.goal_seconds:g} s")
    if row.goal_rss_mib is not None:
        goal.append(f"peak RSS <= {row.goal_rss_mib:g} MiB")
    if row.goal_rss_ratio is not None:
        goal.append(f"peak RSS <= {row.goal_rss_ratio:g}x")
    goal_s = ", ".join(goal)

    t_med, r_med = med(res.target), med(res.ref)
    ratio = pair_ratio(res.target, res.ref)
    t_rss, r_rss = peak_mib(res.target), peak_mib(res.ref)
    rss_s = "—" if t_rss is None else f"{t_rss:.0f}"
    if r_rss is not None:
        rss_s += f" / {r_rss:.0f}"
    script_s = res.script_failure or fmt_s(med(res.script)) if res.script_argv else "—"

    if res.failure:
        return [row.what, row.ref_label, res.failure, fmt_s(r_med), "—", goal_s, "**no** (failed)", rss_s, script_s]

    checks = []
    if row.goal_ratio is not None:
        checks.append(ratio is not None and ratio <= row.goal_ratio)
    if row.goal_seconds is not None:
        checks.append(t_med is not None and t_med <= row.goal_seconds)
    if row.goal_rss_mib is not None:
        checks.append(t_rss is not None and t_rss <= row.goal_rss_mib)
    if row.goal_rss_ratio is not None:
        checks.append(t_rss is not None and r_rss is not None and t_rss <= row.goal_rss_ratio * r_rss)
    if row.goal_ratio is not None and ratio is None:
        met = "? (reference " + (res.ref_failure or "missing") + ")"
    else:
        met = ("yes" if all(checks) else "**no**") if checks else "— (no goal)"
    ref_s = res.ref_failure or fmt_s(r_med)
    ratio_s = "—" if ratio is None else f"{ratio:.2f}x"
    return [row.what, row.ref_label, fmt_s(t_med), ref_s, ratio_s, goal_s, met, rss_s, script_s]


def md_table(header: list[str], body: list[list[str]]) -> str:
    esc = lambda s: s.replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in body]
    return "\n".join(lines)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def meminfo() -> str:
    try:
        vals = {}
        with open("/proc/meminfo") as f:
            for line in f:
                k, v = line.split(":", 1)
                vals[k] = int(v.split()[0])  # KiB
        return f"{vals['MemTotal'] / MIB:.1f} GiB total, {vals['MemAvailable'] / MIB:.1f} GiB available at start"
    except (OSError, KeyError, ValueError):
        return "unknown"


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def cache_dir() -> str | None:
    from priorcli.families.registry import compilation_cache_dir  # light: no numpyro at import

    return compilation_cache_dir()


def cache_state() -> str:
    d = cache_dir()
    if d is None:
        return "disabled (PRIORCLI_NO_CACHE is set)"
    try:
        n = len(os.listdir(d))
    except OSError:
        n = 0
    return f"`{d}`, {n} entries after the warm-up runs"


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def report(results: list[Result], meta: dict) -> str:
    header = ["what", "reference", "median target s", "median reference s", "ratio", "goal", "met?",
              "peak RSS MiB (target / ref)", "console script s"]
    out = ["# priorcli benchmark results", ""]
    out.append(f"Generated by `{meta['invocation']}` on {meta['date']}.")
    out.append("")
    out.append(md_table(header, [table_row(r) for r in results]))
    out.append("")
    out += [
        "How to read this:",
        "",
        f"- Each command ran as a fresh subprocess, {meta['runs']} timed runs each, reference and target "
        "interleaved (ref, target[, console script], ref, target, ...) after one discarded warm-up run of "
        "each command. Times are medians of wall time (`time.perf_counter` around `Popen` .. `os.wait4`); "
        "*ratio* is the median of the per-pair ratios target/reference, so slow drifts in machine load "
        "cancel out.",
        "- The target is always `python -m priorcli ...` with the same interpreter as this script (what the goals "
        "are judged on). *console script s* is the installed `priorcli` entry point next to that interpreter, "
        "for information only.",
        "- Peak RSS is the maximum over the timed runs of the child's own `ru_maxrss` from `os.wait4`.",
        f"- The warm-up runs also fill jax's persistent compilation cache ({meta['cache']}), so the sample rows are "
        "steady state: no XLA compilation in the timed runs.",
        "- *cold* (the gamma maxent row) means a fresh Python process per run; `solve` uses no on-disk cache, "
        "but the OS page cache and `.pyc` files are warm. PreliZ is not a priorcli dependency; when it is not "
        "importable the row is judged on the absolute median against the 1.2 s goal "
        "(the issue measured PreliZ import + first maxent at ~2.3 s on its machine).",
        "- The numpy reference is `benchmarks/numpy_reference.py N`: `default_rng(0).lognormal(0, 1, N)`, "
        "`np.quantile` at priorcli's 7 default levels, `np.histogram(bins=50)`, mean and sd, printed as JSON; "
        "with `--log-bins 60` the histogram is `np.histogram(np.log(x), bins=60)` instead (the `--log-x` row).",
        f"- The `input-*` rows read {INPUT_N:,} Gamma(2, 1) draws written once to `{INPUT_DIR}` (`big.txt`: "
        "one `%.10g` per line; `big.npy`: float64); the reference `benchmarks/numpy_input_reference.py` reads "
        "them with `numpy.loadtxt` / `numpy.load` and takes the same quantiles, mean and sd. *peak RSS <= 1.5x* "
        "compares the two peak RSS figures of the row.",
    ]
    if meta["skipped"]:
        out.append(f"- Not run in this invocation: {', '.join(meta['skipped'])}.")
    out += ["", "## Machine", ""]
    out += [f"- {k}: {v}" for k, v in meta["machine"].items()]
    out += ["", "## Commands", "", "```"]
    seen = set()
    for r in results:
        for argv in (r.row.ref_argv, r.target_argv, r.script_argv):
            if argv is not None and argv is not r.row.ref_argv and r.row.env:
                argv = ["env", *(f"{k}={v}" for k, v in r.row.env.items()), *argv]
            if argv is not None and tuple(argv) not in seen:
                seen.add(tuple(argv))
                out.append(shlex.join(argv))
    out += ["```", "", "## Raw timed runs (seconds)", ""]
    for r in results:
        parts = [f"target {', '.join(f'{x.seconds:.3f}' for x in r.target) or '—'}"]
        if r.row.ref_argv is not None:
            parts.append(f"reference {', '.join(f'{x.seconds:.3f}' for x in r.ref) or '—'}")
        if r.script_argv is not None:
            parts.append(f"console script {', '.join(f'{x.seconds:.3f}' for x in r.script) or '—'}")
        out.append(f"- `{r.row.name}`: " + "; ".join(parts))
    failures = [r for r in results if r.failure or r.ref_failure or r.script_failure]
    if failures:
        out += ["", "## Failures", ""]
        for r in failures:
            for label, msg in (("target", r.failure), ("reference", r.ref_failure), ("console script", r.script_failure)):
                if msg:
                    out.append(f"- `{r.row.name}` {label}: {msg}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    all_rows = rows()
    names = [r.name for r in all_rows]
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    p.add_argument("--quick", action="store_true", help="skip the 1e8-draw rows")
    p.add_argument("--only", action="append", default=[], metavar="NAME",
                   help=f"run only these rows (repeatable or comma-separated): {', '.join(names)}")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds before a single run is killed")
    p.add_argument("--output", default=str(HERE / "RESULTS.md"), help="markdown file to write")
    p.add_argument("--no-write", action="store_true", help="print only, do not write --output")
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")

    only = {n.strip() for o in args.only for n in o.split(",") if n.strip()}
    unknown = only - set(names)
    if unknown:
        p.error(f"unknown row(s) {', '.join(sorted(unknown))}; choose from {', '.join(names)}")
    selected, skipped = [], []
    for r in all_rows:
        if (only and r.name not in only) or (not only and args.quick and r.big):
            skipped.append(r.name)
        else:
            selected.append(r)

    # A regular `pip install` byte-compiles the package; an editable install under
    # PYTHONDONTWRITEBYTECODE never does. Compile once so both start from .pyc files, as the
    # references (already compiled in site-packages) do.
    import compileall
    import priorcli

    compileall.compile_dir(os.path.dirname(priorcli.__file__), quiet=1)
    if (REPO / "priorcli").is_dir():  # what `python -m priorcli` imports from cwd=REPO (a worktree, say)
        compileall.compile_dir(str(REPO / "priorcli"), quiet=1)

    script = Path(PY).parent / "priorcli"
    script_path = str(script) if script.is_file() and os.access(script, os.X_OK) else None

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    load_start = loadavg()
    machine = {
        "platform": platform.platform(),
        "CPU": cpu_model(),
        "nproc": f"{len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()} "
                 f"usable of {os.cpu_count()}",
        "memory": meminfo(),
        "python": f"{platform.python_version()} ({PY})",
        "versions": ", ".join(f"{d} {version(d)}" for d in
                              ("priorcli", "jax", "jaxlib", "numpyro", "numpy", "scipy", "typer", "rich", "plotext")),
        "preliz": version("preliz"),
        "load average (1/5/15 min) at start": load_start,
    }
    date = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    log(f"priorcli benchmark: {len(selected)} row(s), {args.runs} run(s) each; load average {load_start}")

    if any(r.inputs for r in selected):
        write_input_files(log)
    results = []
    for r in selected:
        log(f"[{r.name}] {r.what}")
        results.append(measure(r, args.runs, args.timeout, script_path, log))

    machine["load average (1/5/15 min) at end"] = loadavg()
    meta = {
        "invocation": shlex.join(["python", "benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "date": date,
        "runs": args.runs,
        "cache": cache_state(),
        "skipped": skipped,
        "machine": machine,
    }
    text = report(results, meta)
    print(text)
    if not args.no_write:
        Path(args.output).write_text(text)
        log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
