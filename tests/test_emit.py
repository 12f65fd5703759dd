"""`--emit stan|stan-prior|pymc|numpyro`: what the programs say, checked by stanc, and refusals.

Every Stan program here goes through stanc (the Stan compiler front end httpstan ships). Running
the programs with Stan, PyMC and numpyro is in test_emit_run.py; the per-family table
(priorcli/emit/frameworks.py) is checked against numpyro's densities in test_emit_frameworks.py.
"""

from __future__ import annotations

import re

import pytest

from conftest import assert_usage_error
from emit_support import assert_stanc_accepts, emitted, require_stanc, stanc

FORUM = """\
theta_group ~ LogNormal(0, 1)
tau_group ~ HalfCauchy(5)
theta_part ~ LogNormal(log(theta_group), tau_group)
ratio = theta_part / theta_group
p ~ Beta(mean=0.3, count=10)
t ~ LogNormal(mode=theta_group, sigma=0.3)
x ~ softplus(Normal(0, 1))
"""

BROAD = """\
mu ~ Normal(0, 1)
s ~ HalfNormal(0.5)
m ~ LogNormal(0, 0.5)
y ~ inv_probit(Normal(mu, 1))
z ~ bounds(Normal(mu, s), 0, 10)
w ~ lower(Normal(0, 0.5), 1)
r ~ reciprocal(Gamma(3, 2))
q ~ power(Gamma(3, 2), 0.5)
k ~ Beta(mean=sigmoid(mu), count=20)
med ~ LogNormal(median=m, sigma=0.2)
c = pi * e + softplus(mu) - log1p(m) ** 2
b = m * 2
u ~ Uniform(0, b)
v ~ Uniform(-w, z)
neg ~ affine(exp(Normal(0, 1)), 1, -2)
g ~ InverseGamma(3, 2)
st ~ StudentT(3, mu, s)
ex ~ exp(Gamma(2, 1))
"""

COUNTS = """\
k ~ Poisson(3)
n ~ Binomial(10, 0.3)
r = k / n
half = k / 2
h ~ BetaBinomial(2, 3, n)
g ~ NegativeBinomial2(3, 2)
d ~ DiscreteUniform(1, 6)
b ~ BernoulliLogits(0.5)
"""

MODELS = {"forum": FORUM, "broad": BROAD}


def names_of(spec: str) -> list[str]:
    return [line.split()[0] for line in spec.splitlines() if line.strip()]


# ----------------------------------------------------------------------------------------------
# Stan: every program through stanc


@pytest.mark.slow
@pytest.mark.parametrize("target", ["stan", "stan-prior"])
@pytest.mark.parametrize("model", list(MODELS))
def test_stan_programs_compile_with_stanc(model, target, tmp_path):
    assert_stanc_accepts(emitted(MODELS[model], target), tmp_path)


@pytest.mark.slow
def test_discrete_stan_prior_compiles_with_stanc(tmp_path):
    code = emitted(COUNTS, "stan-prior")
    assert_stanc_accepts(code, tmp_path)
    assert "int k = poisson_rng(3);" in code
    assert "int h = beta_binomial_rng(n, 2, 3);" in code
    # the model language divides exactly; Stan would truncate int / int
    assert "real r = 1.0 * k / n;" in code and "real half = 1.0 * k / 2;" in code


def test_compare_emits_one_variable_per_distribution(run, tmp_path):
    specs = ["LogNormal(1, 1)", "softplus(Normal(0, 1))", "HalfCauchy(5)"]
    for target in ("stan", "stan-prior"):
        result = run("compare", *specs, "--emit", target)
        assert result.exit_code == 0, result.stderr
        assert_stanc_accepts(result.stdout, tmp_path, target.replace("-", "_"))
    code = run("compare", *specs, "--emit", "stan").stdout
    assert "d1 ~ lognormal(1, 1);" in code and "d2_raw ~ normal(0, 1);" in code and "d3 ~ cauchy(0, 5);" in code
    pymc = run("compare", *specs, "--emit", "pymc").stdout
    assert 'd1 = pm.LogNormal("d1", mu=1.0, sigma=1.0)' in pymc


def _block(code: str, name: str) -> str:
    match = re.search(rf"^{name} \{{\n(.*?)^\}}", code, re.S | re.M)
    return match.group(1) if match else ""


def test_stan_program_follows_the_stan_guide():
    """Constraints from the supports, Stan's parameterisations, transforms as transformed
    parameters of an untransformed parameter, and no Jacobian term anywhere."""
    code = emitted(FORUM + BROAD, "stan")
    params, tparams, model = _block(code, "parameters"), _block(code, "transformed parameters"), _block(code, "model")
    for line in ["real<lower=0> tau_group;", "real<lower=0, upper=1> p;", "real x_raw;", "real z_raw;",
                 "real<lower=0> r_raw;", "real<lower=0, upper=m * 2> u;", "real<lower=0> g;"]:
        assert line in params, line
    # a parameter's bounds may only use parameters: the transformed w and z are written out
    assert "real<lower=-(1 + exp(w_raw)), upper=10 * inv_logit(z_raw)> v;" in params
    for line in ["real ratio = theta_part / theta_group;", "real<lower=0> x = log1p_exp(x_raw);",
                 "real<lower=0, upper=1> y = Phi(y_raw);", "real<lower=0, upper=10> z = 10 * inv_logit(z_raw);",
                 "real<lower=1> w = 1 + exp(w_raw);", "real<lower=0> r = 1 / r_raw;",
                 "real<upper=1> neg = 1 - 2 * exp(neg_raw);", "real<lower=1> ex = exp(ex_raw);"]:
        assert line in tparams, line
    for line in ["tau_group ~ cauchy(0, 5);", "p ~ beta(3, 7);", "t ~ lognormal(log(theta_group) + 0.3 ^ 2, 0.3);",
                 "x_raw ~ normal(0, 1);", "r_raw ~ gamma(3, 2);", "g ~ inv_gamma(3, 2);",
                 "st ~ student_t(3, mu, s);", "k ~ beta(20 * inv_logit(mu), 20 * (1 - inv_logit(mu)));"]:
        assert line in model, line
    assert "target" not in code and "jacobian" not in code


def test_stan_raw_parameter_note_only_when_a_prior_is_transformed():
    assert "NAME_raw" not in emitted("x ~ Normal(0, 1)", "stan")
    assert "NAME_raw" in emitted("x ~ softplus(Normal(0, 1))", "stan")


def test_stan_prior_program_is_generated_quantities_only(tmp_path):
    code = emitted(FORUM, "stan-prior")
    body = [line for line in code.splitlines() if line and not line.startswith("//")]
    assert body[0] == "generated quantities {" and body[-1] == "}"
    assert "real tau_group = abs(cauchy_rng(0, 5));" in code
    assert "real theta_part = lognormal_rng(log(theta_group), tau_group);" in code
    assert "real x_raw = normal_rng(0, 1);" in code and "real x = log1p_exp(x_raw);" in code


@pytest.mark.parametrize("target", ["stan", "stan-prior", "pymc", "numpyro"])
def test_every_variable_keeps_its_name(target):
    code = emitted(FORUM + "model_x ~ Normal(0, 1)\n", target)
    for name in names_of(FORUM) + ["model_x"]:
        if target.startswith("stan"):
            assert re.search(rf"^  real(<[^>]*>)? {name}( =|;)", code, re.M), name
        else:
            assert f'"{name}"' in code, name


def test_python_names_never_shadow_the_file(tmp_path):
    code = emitted("model ~ Normal(0, 1)\npm ~ Normal(model, 1)\nprint = pm * 2\nnp ~ exp(Normal(0, 1))", "pymc")
    assert 'model_ = pm.Normal("model", mu=0.0, sigma=1.0)' in code
    assert 'pm_ = pm.Normal("pm", mu=model_, sigma=1.0)' in code
    assert 'print_ = pm.Deterministic("print", pm_ * 2.0)' in code
    assert 'np_ = pm.Deterministic("np", pt.exp(np_raw))' in code
    compile(code, "emitted", "exec")


# ----------------------------------------------------------------------------------------------
# refusals: one line, exit 2, nothing written


@pytest.mark.parametrize("word", ["target", "model", "data", "real", "vector", "then", "until", "print", "reject",
                                  "offset", "array", "profile", "struct", "jacobian"])
def test_stan_reserved_names_are_refused(run, word):
    for target in ("stan", "stan-prior"):
        result = run("sample", "--model", f"{word} ~ Normal(0, 1)", "--emit", target)
        assert_usage_error(result, f"'{word}'", "Stan", "line 1")
        assert result.stdout == ""


@pytest.mark.slow
def test_every_reserved_word_is_refused_by_stanc_too(tmp_path):
    """The list is stanc's (plus words newer Stan versions reserve): each one really is refused."""
    from priorcli.emit.stan import RESERVED

    require_stanc()
    newer = {"jacobian", "sum_to_zero_vector", "sum_to_zero_matrix", "column_stochastic_matrix",
             "row_stochastic_matrix"}
    accepted = [w for w in sorted(RESERVED - newer)
                if stanc(f"parameters {{ real {w}; }}\nmodel {{ {w} ~ normal(0, 1); }}\n", tmp_path, "w").returncode == 0]
    assert accepted == []
    # ...and an ordinary name that looks like a Stan function is accepted
    assert stanc("parameters { real normal; }\nmodel { normal ~ normal(0, 1); }\n", tmp_path, "ok").returncode == 0


def test_stan_names_are_ascii(run, tmp_path):
    assert_usage_error(run("sample", "--model", "θ ~ Normal(0, 1)", "--emit", "stan"), "'θ'", "ASCII")
    assert stanc("parameters { real θ; }\nmodel { θ ~ normal(0, 1); }\n", tmp_path).returncode != 0
    code = emitted("θ ~ Normal(0, 1)", "pymc")  # Python takes it
    assert 'θ = pm.Normal("θ", mu=0.0, sigma=1.0)' in code


def test_names_ending_in_double_underscore_are_refused(run):
    for target in ("stan", "pymc"):
        assert_usage_error(run("sample", "--model", "a__ ~ Normal(0, 1)", "--emit", target), "'a__'", "__")


@pytest.mark.parametrize(
    "spec, target, needles",
    [
        ("a ~ Normal(0, 1)\nx ~ Gompertz(1, 1)", "stan", ["line 2", "'x'", "Gompertz", "Stan"]),
        ("x ~ Gompertz(1, 1)", "stan-prior", ["'x'", "Gompertz", "stan-prior"]),
        ("x ~ Gompertz(1, 1)", "pymc", ["'x'", "Gompertz", "PyMC"]),
        ("x ~ softplus(Kumaraswamy(2, 3))", "stan", ["'x'", "Kumaraswamy", "Stan"]),
        ("x ~ LogUniform(1, 10)", "pymc", ["'x'", "LogUniform", "PyMC"]),
        ("k ~ Poisson(3)", "stan", ["'k'", "Poisson", "discrete", "stan-prior"]),
        ("a ~ Poisson(3)\nb = a + 1\nx ~ Binomial(b, 0.5)", "stan-prior", ["line 3", "'x'", "total_count"]),
        ("a ~ LogNormal(0, 1)\ng ~ Gamma(mode=a, sd=1)", "pymc", ["line 2", "Gamma"]),
    ],
)
def test_no_counterpart_is_one_error_naming_variable_and_family(run, tmp_path, spec, target, needles):
    result = run("sample", "--model", spec, "--emit", target)
    assert_usage_error(result, *needles)
    assert result.stdout == ""
    out = tmp_path / ("m.stan" if target.startswith("stan") else "m.py")
    assert_usage_error(run("sample", "--model", spec, "--emit", target, "--output", out), *needles)
    assert list(tmp_path.iterdir()) == []


def test_output_writes_the_whole_program_and_never_overwrites(run, tmp_path):
    out = tmp_path / "model.stan"
    result = run("sample", "--model", FORUM, "--emit", "stan", "--output", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text() == emitted(FORUM, "stan")
    again = run("sample", "--model", "x ~ Normal(0, 1)", "--emit", "stan", "--output", out)
    assert_usage_error(again, "--output", "--force")
    assert out.read_text() == emitted(FORUM, "stan")
    forced = run("sample", "--model", "x ~ Normal(0, 1)", "--emit", "stan", "--output", out, "--force")
    assert forced.exit_code == 0 and "x ~ normal(0, 1);" in out.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.stan"]  # no temporary file left


@pytest.mark.parametrize("target, path", [("stan", "m.py"), ("pymc", "m.stan"), ("numpyro", "draws.csv")])
def test_output_suffix_must_fit_the_framework(run, tmp_path, target, path):
    assert_usage_error(run("sample", "--model", "x ~ Normal(0, 1)", "--emit", target, "--output", tmp_path / path),
                       "--output")
    assert list(tmp_path.iterdir()) == []


def test_emit_needs_a_model(run):
    assert_usage_error(run("sample", "lognormal", "--emit", "stan"), "--emit", "--model")


def test_show_chooses_what_the_programs_print():
    for target in ("pymc", "numpyro"):
        code = emitted(FORUM, target, "--show", "p,x", "-n", 1234, "--seed", 7, "--quantiles", "0.1,0.9")
        assert "for name in ['p', 'x']" in code
        assert "DRAWS = 1234" in code and "SEED = 7" in code and "QUANTILES = (0.1, 0.9,)" in code
