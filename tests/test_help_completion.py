"""`sample FAMILY --help`, `info` as plain text, and shell completion (bash, zsh, fish)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import complete, packages_after_each
from priorcli import records
from priorcli.cli import app
from priorcli.families import doctext
from priorcli.families.registry import registry

PRIORCLI = [sys.executable, "-m", "priorcli"]
LATEX = re.compile(r"\\|:math:|\.\. math::|:attr:|:class:|\\mathrm|\$")


# ---------------------------------------------------------------------------------------------
# Docstrings as plain text


@pytest.mark.parametrize("latex,text", [
    (r"\mu", "μ"),
    (r"Y \sim \mathrm{Normal}(\mu, \sigma)", "Y ~ Normal(μ, σ)"),
    (r"\frac{1}{x \sigma \sqrt{2\pi}}", "1/(x σ sqrt(2π))"),
    (r"\frac{\Gamma(\alpha_0)}{\prod_{i=1}^{K}\Gamma(\alpha_i)}", "Γ(α_0)/(Π_(i=1)^K Γ(α_i))"),
    (r"\exp\!\left(-\frac{(x - \mu)^2}{2\sigma^2}\right)", "exp(-((x - μ)^2)/(2σ^2))"),
    (r"\frac{c}{2(x-\mu)}", "c/(2(x-μ))"),
    (r"x^{\alpha - 1}", "x^(α - 1)"),
    (r"k \in \{0, 1, \dots, n\}", "k ∈ {0, 1, ..., n}"),
    (r"x \in \mathbb{R}", "x ∈ ℝ"),
    (r"\begin{cases} a & \text{if } x \geq 0, \\ b & \text{otherwise}. \end{cases}", "a if x ≥ 0; b otherwise."),
    (r"\binom{n}{k} p^k", "binom(n, k) p^k"),
])
def test_latex_to_text(latex, text):
    assert doctext.latex_to_text(latex) == text


def test_docstring_as_paragraphs():
    doc = '''Implementation of the `Gamma distribution <https://en.wikipedia.org/wiki/Gamma>`_,
    :math:`\\mathrm{Gamma}(\\alpha, \\lambda)`, of :class:`~numpyro.distributions.Exponential` fame.

    The density is:

    .. math::
        f(x) = \\frac{\\lambda^{\\alpha}}{\\Gamma(\\alpha)}

    :param concentration: shape :math:`\\alpha`.
    :type concentration: ArrayLike

    **References**

    [1] Someone (1900).
    '''
    assert doctext.plain_text(doc) == [
        "Implementation of the Gamma distribution (https://en.wikipedia.org/wiki/Gamma), Gamma(α, λ), "
        "of Exponential fame.",
        "The density is:",
        "  f(x) = (λ^α)/Γ(α)",
    ]


def test_every_family_docstring_is_plain_text():
    """What `info` prints for every family: no LaTeX, no Sphinx markup."""
    for name, family in registry().items():
        paragraphs = doctext.plain_text(doctext.own_docstring(family.factory))
        text = "\n".join(paragraphs)
        assert not LATEX.search(text), (name, LATEX.search(text), text)
        assert not LATEX.search(family.doc), (name, family.doc)


@pytest.mark.slow
def test_info_prints_plain_text_for_every_family(run):
    for name in registry():
        result = run("info", name.lower())
        assert result.exit_code == 0, (name, result.stderr)
        assert not LATEX.search(result.stdout), (name, result.stdout)
        assert "Base class for probability distributions" not in result.stdout  # never an inherited docstring
        doc = run.json("info", name.lower())
        assert not LATEX.search(doc["description"] + doc["docstring"]), name


def test_info_lognormal_reads_as_the_docstring(run):
    out = run("info", "lognormal").stdout
    assert "Y ~ Normal(μ, σ)" in " ".join(out.split())
    assert "f(x | μ, σ) = 1/(x σ sqrt(2π)) exp(-((ln x - μ)^2)/(2σ^2)), x > 0" in out


# ---------------------------------------------------------------------------------------------
# sample FAMILY --help


def _help_families():
    """Every family with a record, and families only numpyro knows."""
    return [*records.RECORDS, *records.MULTIVARIATE, "VonMises", "Gompertz"]


@pytest.mark.parametrize("command", ["sample", "summarize", "solve", "explore"])
def test_family_help_lists_parameters_aliases_and_targets(run, command):
    families = registry()
    for name in _help_families():
        family = families[name]
        result = run(command, name.lower(), "--help")
        assert result.exit_code == 0, result.stderr
        out = result.stdout
        assert f"{family.name} parameters" in out
        for p in family.params:
            assert f"--{p.name}" in out, (name, p.name)
        for alias, native in family.aliases().items():
            assert re.search(rf"--{native}(, --\w+)*, --{alias}\b", out), (name, alias)
        assert ("--count N" in out) == (name in ("Beta", "BetaProportion", "Dirichlet")), name
        if family.record is not None and family.record.own_targets:  # --mean is the NB2's parameter there
            assert "--overall-mean V" in out
        elif family.record is None or family.record.matrix is None:  # LKJ's targets are on one correlation
            assert "--mean V" in out
        if not family.multivariate:
            assert "--quantile P=V" in out and "--lower L --upper U --mass P" in out


def test_family_help_shows_constraints_and_defaults(run):
    out = " ".join(run("sample", "lognormal", "--help").stdout.split())
    assert "--loc, --mu a real number; default 0" in out
    assert "--scale, --sigma a positive number; default 1" in out
    out = " ".join(run("summarize", "beta", "--help").stdout.split())
    assert "--concentration1, --alpha a positive number; required" in out
    out = " ".join(run("sample", "dirichlet", "--help").stdout.split())
    assert "--concentration, --alpha, --shape comma-separated: a positive number, one per component" in out


def test_family_is_found_among_options(run):
    out = run("sample", "-n", "100", "--mu", "0", "gamma", "--seed", "3", "--help").stdout
    assert "Gamma parameters" in out and "--rate, --beta, --lambda" in out


def test_help_without_a_family(run):
    assert "see 'priorcli sample FAMILY --help'" in run("sample", "--help").stdout
    assert "LogNormal parameters" in run("solve", "--help").stdout  # solve's FAMILY defaults to lognormal
    assert "LogNormal parameters" in run("explore", "--help").stdout  # and explore's
    result = run("sample", "lgnormal", "--help")
    assert result.exit_code == 0
    assert "unknown family 'lgnormal'; did you mean LogNormal" in " ".join(result.stdout.split())


@pytest.mark.slow
def test_family_help_imports_no_jax():
    argvs = (["sample", "lognormal", "--help"], ["solve", "--help"], ["summarize", "dirichlet", "--help"], ["--help"])
    out, heavy = packages_after_each(*argvs, packages=("jax", "numpyro", "numpy", "scipy"))  # one interpreter
    assert heavy == [[]] * len(argvs), heavy
    assert out.count("Usage: priorcli") == len(argvs)


# ---------------------------------------------------------------------------------------------
# Shell completion through Typer's mechanism


@pytest.fixture
def completion_env(tmp_path):
    env = dict(os.environ, PRIORCLI_CACHE_DIR=str(tmp_path / "cache" / "jax"))
    for key in ("PRIORCLI_NO_CACHE", "_PRIORCLI_COMPLETE", "COMP_WORDS", "COMP_CWORD", "_TYPER_COMPLETE_ARGS"):
        env.pop(key, None)
    return env


def _complete(env, shell, line):
    """Ask priorcli for completions of ``line`` the way the shell's script does (in-process)."""
    result = complete(shell, line, env)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _complete_in_a_process(env, shell, line):
    env = dict(env, _PRIORCLI_COMPLETE=f"complete_{shell}", COMP_WORDS=line, COMP_CWORD=str(len(line.split(" ")) - 1))
    result = subprocess.run(PRIORCLI, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.slow
def test_completion_scripts(completion_env, shell, run):
    # the script as `_PRIORCLI_COMPLETE=source_SHELL` prints it (in-process, like the answers), and
    # as --show-completion does (a process: Typer's option looks at the process it runs in)
    sourced = run.runner.invoke(app, [], env={"_PRIORCLI_COMPLETE": f"source_{shell}"}, prog_name="priorcli")
    assert sourced.exit_code == 0, sourced.stderr
    shown = subprocess.run(PRIORCLI + ["--show-completion", shell], capture_output=True, text=True, timeout=120,
                           env=dict(completion_env, _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1"))
    assert shown.returncode == 0, shown.stderr
    for script in (sourced.stdout, shown.stdout):
        assert f"_PRIORCLI_COMPLETE=complete_{shell}" in script
        assert "priorcli" in script


@pytest.mark.slow
def test_install_completion_writes_the_script(completion_env, tmp_path):
    env = dict(completion_env, HOME=str(tmp_path), _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    result = subprocess.run(PRIORCLI + ["--install-completion", "bash"], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    script = tmp_path / ".bash_completions" / "priorcli.sh"
    assert "_PRIORCLI_COMPLETE=complete_bash" in script.read_text()
    assert str(script) in (tmp_path / ".bashrc").read_text()


@pytest.mark.slow
def test_completes_commands_families_parameters_and_transforms(completion_env):
    assert _complete(completion_env, "bash", "priorcli sa").split() == ["sample"]
    assert _complete(completion_env, "bash", "priorcli sample logn").split() == ["lognormal"]
    assert _complete(completion_env, "bash", "priorcli info half").split() == ["halfcauchy", "halfnormal"]
    assert "bernoulli" in _complete(completion_env, "bash", "priorcli summarize bern").split()
    offered = _complete(completion_env, "bash", "priorcli sample lognormal --s").split()
    assert {"--scale", "--sigma", "--sd", "--seed"} <= set(offered)
    assert "--mu" not in offered
    # the parameters of the typed family, not LogNormal's; options already given are not repeated
    assert _complete(completion_env, "bash", "priorcli sample beta --co").split() == [
        "--concentration1", "--concentration0", "--count"]
    offered = _complete(completion_env, "bash", "priorcli sample lognormal --mu 0 --m").split()
    assert "--mu" not in offered and {"--mode", "--median", "--mean", "--mass"} <= set(offered)
    assert {"--mu", "--mode"} <= set(_complete(completion_env, "bash", "priorcli solve --m").split())
    assert _complete(completion_env, "bash", "priorcli explore gam").split() == ["gamma", "gammapoisson"]
    assert {"--sigma", "--sd"} <= set(_complete(completion_env, "bash", "priorcli explore --s").split())
    assert _complete(completion_env, "bash", "priorcli sample normal --transform s").split() == ["softplus", "sigmoid"]
    # the control for answering in-process: a real process (python -m priorcli) answers the same
    line = "priorcli sample lognormal --mu 0 --m"
    assert _complete_in_a_process(completion_env, "bash", line) == _complete(completion_env, "bash", line)


def test_zsh_and_fish_answers_carry_help(completion_env):
    zsh = _complete(completion_env, "zsh", "priorcli sample gamma --ra")
    assert '"--rate":"a positive number"' in zsh
    fish = _complete(completion_env, "fish", "priorcli sample gamma --al")
    assert fish.strip() == "--alpha\talias of --concentration"


@pytest.mark.slow
def test_family_names_are_cached(completion_env, tmp_path):
    _complete(completion_env, "bash", "priorcli sample x")
    (cached,) = (tmp_path / "cache").glob("family-names-*.json")
    names = json.loads(cached.read_text())
    assert "lognormal" in names and "halfcauchy" in names
    cached.write_text(json.dumps(["lognormal", "lognormalish"]))  # the cache is what is read
    assert _complete(completion_env, "bash", "priorcli sample logn").split() == ["lognormal", "lognormalish"]
    cached.write_text("{not json")  # a damaged cache is rebuilt
    assert _complete(completion_env, "bash", "priorcli sample logn").split() == ["lognormal"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
@pytest.mark.slow
def test_bash_completion_end_to_end(completion_env, tmp_path):
    """The generated script, sourced in a real bash, fills COMPREPLY through priorcli."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    wrapper = bindir / "priorcli"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m priorcli "$@"\n')
    wrapper.chmod(0o755)
    env = dict(completion_env, PATH=f"{bindir}{os.pathsep}{completion_env.get('PATH', '')}")
    script = subprocess.run(["priorcli", "--show-completion", "bash"], capture_output=True, text=True,
                            env=dict(env, _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1"), timeout=120).stdout
    probe = script + (
        '\nCOMP_WORDS=(priorcli sample lognormal --si); COMP_CWORD=3\n'
        '_priorcli_completion priorcli\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(["bash", "--norc", "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert result.stdout.split() == ["--sigma"], result.stderr
