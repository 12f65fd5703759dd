"""The model language: parsing, the whitelist, ancestral evaluation and numpyro source.

The module under test knows no distribution families; a fake ``sample_fn`` built on numpy's
``default_rng`` stands in for the registry, and an independent numpy simulation is the oracle.
"""

from __future__ import annotations

import math
import types

import numpy as np
import pytest
import scipy.special as sp

from priorcli.errors import PriorError, UsageError
from priorcli.model.parse import (
    MAX_SPEC_CHARS,
    Binary,
    Call,
    DistExpr,
    Name,
    Num,
    Unary,
    evaluate,
    evaluate_distribution,
    expr_to_source,
    parse_distribution,
    parse_expression,
    parse_model,
    referenced_names,
    run_model,
    to_numpyro_source,
)

EXAMPLE = """\
# comments; statements on lines or separated by ';'
theta_group ~ LogNormal(0, 1)
tau_group   ~ HalfCauchy(5)
theta_part  ~ LogNormal(log(theta_group), tau_group)
ratio = theta_part / theta_group              # a deterministic quantity
x ~ softplus(Normal(0, 1))                    # transforms wrap a distribution
p ~ Beta(mean=0.3, count=10)                  # targets as keywords, as in solve
t ~ LogNormal(mode=theta_group, sigma=0.3)    # vectorised where the closed form exists
"""

# ----------------------------------------------------------------------------------------------
# a fake family registry on numpy


_TRANSFORM_FUNCS = {
    "exp": lambda x: np.exp(x),
    "softplus": lambda x: np.logaddexp(0.0, x),
    "sigmoid": lambda x: sp.expit(x),
    "inv_probit": lambda x: sp.ndtr(x),
    "probit": lambda x: sp.ndtri(x),
    "logit": lambda x: sp.logit(x),
    "reciprocal": lambda x: 1.0 / x,
    "affine": lambda x, loc, scale: loc + scale * x,
    "lower": lambda x, lo: lo + np.exp(x),
    "bounds": lambda x, lo, hi: lo + (hi - lo) * sp.expit(x),
    "power": lambda x, k: x**k,
}


def make_sample_fn(rng: np.random.Generator, n: int, calls: list | None = None):
    def sample_fn(statement, family, args, kwargs, transforms):
        if calls is not None:
            calls.append((statement.name, family, args, kwargs, transforms))
        for v in list(args) + list(kwargs.values()):
            assert isinstance(v, float) or (isinstance(v, np.ndarray) and v.shape == (n,))
        if family == "LogNormal" and not kwargs:
            loc, scale = args
            out = rng.lognormal(loc, scale, n)
        elif family == "LogNormal":
            sigma = kwargs["sigma"]
            out = rng.lognormal(np.log(kwargs["mode"]) + sigma**2, sigma, n)
        elif family == "HalfCauchy":
            (scale,) = args
            out = np.abs(scale * rng.standard_cauchy(n))
        elif family == "Normal":
            loc, scale = args
            out = rng.normal(loc, scale, n)
        elif family == "Beta":
            m, c = kwargs["mean"], kwargs["count"]
            out = rng.beta(m * c, (1 - m) * c, n)
        else:
            raise UsageError(f"unknown family '{family}'")
        for name, targs in transforms:
            out = _TRANSFORM_FUNCS[name](out, *targs)
        return out

    return sample_fn


# ----------------------------------------------------------------------------------------------
# parsing the issue's example


def test_example_parses_to_the_expected_statements():
    m = parse_model(EXAMPLE)
    assert m.names == ("theta_group", "tau_group", "theta_part", "ratio", "x", "p", "t")
    assert [s.kind for s in m.statements] == ["~", "~", "~", "=", "~", "~", "~"]
    assert [s.line for s in m.statements] == [2, 3, 4, 5, 6, 7, 8]
    assert m["ratio"].text == "ratio = theta_part / theta_group"

    tp = m["theta_part"].expr
    assert tp == DistExpr(
        "LogNormal",
        (Call("log", (Name("theta_group"),)), Name("tau_group")),
        (),
        (),
        tp.text,
    )
    assert m["ratio"].expr == Binary("/", Name("theta_part"), Name("theta_group"))
    assert m["x"].expr.family == "Normal"
    assert m["x"].expr.transforms == (("softplus", ()),)
    assert m["p"].expr.kwargs == (("mean", Num(0.3)), ("count", Num(10.0)))
    assert m["t"].expr.kwargs == (("mode", Name("theta_group")), ("sigma", Num(0.3)))
    assert m["t"].depends_on == {"theta_group"}
    assert referenced_names(m) == {"theta_group", "tau_group", "theta_part"}


def test_example_runs_ancestrally_and_matches_an_independent_simulation():
    n = 2000
    calls: list = []
    draws = run_model(parse_model(EXAMPLE), n, make_sample_fn(np.random.default_rng(7), n, calls))

    # independent simulation: same generator, same order of draws
    rng = np.random.default_rng(7)
    theta_group = rng.lognormal(0.0, 1.0, n)
    tau_group = np.abs(5.0 * rng.standard_cauchy(n))
    theta_part = rng.lognormal(np.log(theta_group), tau_group, n)
    x = np.logaddexp(0.0, rng.normal(0.0, 1.0, n))
    p = rng.beta(3.0, 7.0, n)
    t = rng.lognormal(np.log(theta_group) + 0.09, 0.3, n)

    assert list(draws) == ["theta_group", "tau_group", "theta_part", "ratio", "x", "p", "t"]
    for v in draws.values():
        assert v.shape == (n,) and v.dtype == np.float64
    np.testing.assert_allclose(draws["theta_group"], theta_group, rtol=1e-12)
    np.testing.assert_allclose(draws["tau_group"], tau_group, rtol=1e-12)
    np.testing.assert_allclose(draws["theta_part"], theta_part, rtol=1e-12)
    np.testing.assert_array_equal(draws["ratio"], draws["theta_part"] / draws["theta_group"])
    np.testing.assert_allclose(draws["ratio"], theta_part / theta_group, rtol=1e-12)
    np.testing.assert_allclose(draws["x"], x, rtol=1e-12)
    assert (draws["x"] > 0).all()
    np.testing.assert_allclose(draws["p"], p, rtol=1e-12)
    np.testing.assert_allclose(draws["t"], t, rtol=1e-12)

    # the callback saw floats for constants and (n,) arrays for dependent arguments
    by_name = {c[0]: c for c in calls}
    assert by_name["theta_group"][2] == (0.0, 1.0)
    assert isinstance(by_name["theta_part"][2][0], np.ndarray)
    np.testing.assert_allclose(by_name["theta_part"][2][0], np.log(theta_group), rtol=1e-12)
    assert by_name["p"][3] == {"mean": 0.3, "count": 10.0}
    assert by_name["x"][4] == (("softplus", ()),)
    assert "ratio" not in by_name


def test_semicolons_comments_and_blank_lines():
    spec = "a ~ Normal(0, 1); b = 2 * a   # comment; c = 3\n\n   # only a comment\n;;c = a + b ;"
    m = parse_model(spec)
    assert m.names == ("a", "b", "c")
    assert [s.line for s in m.statements] == [1, 1, 4]
    draws = run_model(m, 50, make_sample_fn(np.random.default_rng(1), 50))
    np.testing.assert_allclose(draws["c"], 3 * draws["a"])


def test_deterministic_constant_is_broadcast():
    m = parse_model("c = 2 * pi + e ** 2 - sqrt(4); z = c")
    draws = run_model(m, 5, make_sample_fn(np.random.default_rng(0), 5))
    np.testing.assert_allclose(draws["c"], np.full(5, 2 * math.pi + math.e**2 - 2))
    np.testing.assert_array_equal(draws["z"], draws["c"])


def test_transforms_nest_innermost_first_and_take_numeric_args():
    d = parse_distribution("exp(softplus(Normal(0, 1)))")
    assert d.family == "Normal" and d.transforms == (("softplus", ()), ("exp", ()))
    d = parse_distribution("affine(bounds(inv_logit(Normal(0, 1)), 0, 10), 1, -2)")
    assert [t for t, _ in d.transforms] == ["sigmoid", "bounds", "affine"]
    assert d.transforms[1][1] == (Num(0.0), Num(10.0))
    assert d.transforms[2][1] == (Num(1.0), Unary("-", Num(2.0)))
    assert parse_distribution("power(reciprocal(lower(Phi(Normal(0,1)), 1)), 2)").transforms == (
        ("inv_probit", ()),
        ("lower", (Num(1.0),)),
        ("reciprocal", ()),
        ("power", (Num(2.0),)),
    )


def test_transform_arguments_may_reference_variables():
    n = 400
    m = parse_model("lo ~ Normal(0, 1); y ~ bounds(Normal(0, 1), lo, lo + 1)")
    assert m["y"].depends_on == {"lo"}
    draws = run_model(m, n, make_sample_fn(np.random.default_rng(3), n))
    assert ((draws["y"] > draws["lo"]) & (draws["y"] < draws["lo"] + 1)).all()


def test_parse_distribution_evaluates_constants_to_floats():
    d = parse_distribution(" LogNormal(loc=log(2), scale=0.5 ** 2) ")
    args, kwargs, transforms = evaluate_distribution(d)
    assert args == () and transforms == ()
    assert kwargs == {"loc": pytest.approx(math.log(2)), "scale": 0.25}
    assert all(type(v) is float for v in kwargs.values())


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("1 + 2", "expected a distribution"),
        ("Normal(x, 1)", "unknown name 'x'"),
        ("Normal(0, 1).mean", "attribute"),
        ("log(Normal(0, 1))", "a distribution where a number is expected"),
        ("x ~ Normal(0, 1)", "cannot parse"),
        ("Normal(0,\n1)", "single line"),
    ],
)
def test_parse_distribution_errors(text, fragment):
    with pytest.raises(UsageError, match="in '") as info:
        parse_distribution(text)
    assert fragment in str(info.value)


# ----------------------------------------------------------------------------------------------
# evaluation and source generation


NUMERIC_CASES = [
    ("log(a) + exp(b) - sqrt(abs(a))", lambda a, b: np.log(a) + np.exp(b) - np.sqrt(np.abs(a))),
    ("log1p(a) * expm1(b) / 2", lambda a, b: np.log1p(a) * np.expm1(b) / 2),
    ("softplus(b) + sigmoid(b) + inv_logit(-b)", lambda a, b: np.logaddexp(0, b) + 1.0),
    ("logit(a / 4) + inv_probit(b) + Phi(-b) + probit(a / 4)",
     lambda a, b: sp.logit(a / 4) + 1.0 + sp.ndtri(a / 4)),
    ("minimum(a, b) + maximum(a, 2)", lambda a, b: np.minimum(a, b) + np.maximum(a, 2)),
    ("-a ** 2 + (-a) ** 2 + 2 ** -b", lambda a, b: -(a**2) + (-a) ** 2 + 2.0 ** (-b)),
    ("a ** b ** 2", lambda a, b: a ** (b**2)),
    ("(a ** b) ** 2", lambda a, b: (a**b) ** 2),
    ("a - (b - 1) - (a + b)", lambda a, b: a - (b - 1) - (a + b)),
    ("a / (b * 2) / (a / b)", lambda a, b: a / (b * 2) / (a / b)),
    ("- -a + +b - (-(a - b))", lambda a, b: a + b + (a - b)),
    ("2 * pi * e", lambda a, b: np.full_like(a, 2 * np.pi * np.e)),
]


@pytest.mark.parametrize("text, oracle", NUMERIC_CASES)
def test_evaluate_matches_numpy_and_source_keeps_precedence(text, oracle):
    a = np.array([0.5, 1.0, 2.0, 3.0])
    b = np.array([-1.5, 0.3, 0.7, 2.0])
    expr = parse_expression(text, {"a", "b"})
    expected = np.broadcast_to(oracle(a, b), a.shape)
    np.testing.assert_allclose(evaluate(expr, {"a": a, "b": b}), expected, rtol=1e-12)

    # the emitted source, run with numpy standing in for jax.numpy, gives the same numbers
    fake_jax = types.SimpleNamespace(
        nn=types.SimpleNamespace(softplus=lambda x: np.logaddexp(0, x), sigmoid=sp.expit),
        scipy=types.SimpleNamespace(special=types.SimpleNamespace(logit=sp.logit, ndtr=sp.ndtr, ndtri=sp.ndtri)),
    )
    source = expr_to_source(expr)
    assert "__" not in source
    got = eval(source, {"__builtins__": {}, "jnp": np, "jax": fake_jax}, {"a": a, "b": b})  # noqa: S307 - trusted, generated
    np.testing.assert_allclose(np.broadcast_to(got, a.shape), expected, rtol=1e-12)


def test_power_overflow_is_inf_not_a_big_int():
    expr = parse_expression("a ** 999", {"a"})
    out = evaluate(expr, {"a": np.array([10.0, 0.5])})
    assert out.dtype == np.float64 and np.isinf(out[0]) and out[1] == 0.5**999


def test_to_numpyro_source_structure():
    m = parse_model(EXAMPLE + "w ~ inv_probit(bounds(Normal(0, 1), -1, x))\ndist = w + 1\n")

    def dist_source(statement, dexpr, names):
        parts = [expr_to_source(a, names) for a in dexpr.args]
        parts += [f"{k}={expr_to_source(v, names)}" for k, v in dexpr.kwargs]
        return f"dist.{dexpr.family}({', '.join(parts)})"

    src = to_numpyro_source(m, dist_source)
    assert "import jax.numpy as jnp" in src and "import numpyro.distributions as dist" in src
    assert "class InvProbitTransform(dist.transforms.ParameterFreeTransform)" in src
    assert 'theta_part = numpyro.sample("theta_part", dist.LogNormal(jnp.log(theta_group), tau_group))' in src
    assert 'ratio = numpyro.deterministic("ratio", theta_part / theta_group)' in src
    assert "dist.TransformedDistribution(dist.Normal(0.0, 1.0), [dist.transforms.SoftplusTransform()])" in src
    assert (
        "[dist.transforms.SigmoidTransform(), dist.transforms.AffineTransform(-1.0, x - -1.0), "
        "InvProbitTransform()]" in src
    )
    # a variable called 'dist' must not shadow the numpyro module in the snippet
    assert 'dist_ = numpyro.deterministic("dist", w + 1.0)' in src
    assert src.count("numpyro.sample(") == 7 and src.count("numpyro.deterministic(") == 2


def test_to_numpyro_source_runs_under_numpyro():
    pytest.importorskip("numpyro")
    import jax
    import numpyro

    spec = (
        "a ~ LogNormal(0, 0.5); s ~ HalfCauchy(1); b ~ LogNormal(log(a), s)\n"
        "r = b / a; y ~ bounds(Normal(0, 1), 0, 10); z ~ inv_probit(Normal(0, 1))\n"
        "w ~ lower(Normal(0, 1), 2); v ~ reciprocal(affine(exp(Normal(0, 1)), 1, 2))\n"
        "dist ~ power(softplus(Normal(0, 1)), 2)"
    )

    def dist_source(statement, dexpr, names):
        return f"dist.{dexpr.family}({', '.join(expr_to_source(a, names) for a in dexpr.args)})"

    namespace: dict = {}
    exec(to_numpyro_source(parse_model(spec), dist_source), namespace)  # noqa: S102 - generated code under test
    n = 200

    def run(key):
        with numpyro.handlers.seed(rng_seed=key), numpyro.plate("draws", n):
            trace = numpyro.handlers.trace(namespace["model"]).get_trace()
        values = {k: v["value"] for k, v in trace.items() if v["type"] in ("sample", "deterministic")}
        return values, trace["z"]["fn"].log_prob(values["z"])

    values, z_log_prob = jax.jit(run)(jax.random.PRNGKey(0))
    vals = {k: np.asarray(v) for k, v in values.items()}
    assert set(vals) == {"a", "s", "b", "r", "y", "z", "w", "v", "dist"}
    np.testing.assert_allclose(vals["r"], vals["b"] / vals["a"], rtol=1e-5)
    assert ((vals["y"] > 0) & (vals["y"] < 10)).all()
    assert ((vals["z"] > 0) & (vals["z"] < 1)).all()
    assert (vals["w"] > 2).all() and ((vals["v"] > 0) & (vals["v"] < 1)).all()
    assert (vals["dist"] > 0).all()
    # the inv_probit transform carries the right Jacobian: density of Phi(N(0,1)) is uniform
    np.testing.assert_allclose(np.asarray(z_log_prob), 0.0, atol=1e-4)


# ----------------------------------------------------------------------------------------------
# hostile and malformed specs


DEEP = "x = " + "(" * 1000 + "1" + ")" * 1000

HOSTILE = [
    # (spec, line, fragment of the message)
    ("__import__('os').system('echo hi')", 1, "expected 'NAME ~ DISTRIBUTION'"),
    ("x = __import__('os').system('echo hi')", 1, "only plain names can be called"),
    ("x = __import__('os')", 1, "names starting with '_'"),
    ("x ~ Normal(0,1).__class__", 1, "attribute access"),
    ("x ~ Normal(0,1)[0]", 1, "indexing"),
    ("x = lambda: 1", 1, "lambda"),
    ("a ~ Normal(0, 1)\nx = [i for i in a]", 2, "comprehension"),
    ("x = 9**9**9**9", 1, "exponent too large"),
    ("x = (-2) ** 1001.5", 1, "exponent too large"),
    (DEEP, 1, "nested too deeply"),
    ("x = " + "abs(" * 60 + "1" + ")" * 60, 1, "nested too deeply"),
    ("x = " + "1 + " * 20000 + "1", 1, "nested too deeply"),
    ("x = " + "-" * 30000 + "1", 1, "nested too deeply"),
    ("x ~ Normal(y, 1)", 1, "unknown name 'y'"),
    ("y ~ Normal(x, 1)\nx ~ Normal(0, 1)", 1, "used before it is defined (on line 2)"),
    ("x ~ Normal(x, 1)", 1, "cannot refer to itself"),
    ("x ~ Normal(0,1); x ~ Normal(0,1)", 1, "already defined on line 1"),
    ("x ~ Normal(0,1)\n\nx = 2", 3, "already defined on line 1"),
    ("x = 1; y ~ x", 1, "must be a distribution"),
    ("x = Normal(0,1)", 1, "use '~'"),
    ("x ~ foo.bar(1)", 1, "only plain names can be called"),
    ("x ~ Normal(*a)", 1, "starred"),
    ("x ~ Normal(**a)", 1, "'**'"),
    ("x := 3", 1, "expected 'NAME ~ DISTRIBUTION'"),
    ("x == 3", 1, "cannot parse"),
    ("x ~", 1, "missing right-hand side"),
    ("3 ~ Normal(0, 1)", 1, "expected 'NAME ~ DISTRIBUTION'"),
    ("x y ~ Normal(0, 1)", 1, "expected 'NAME ~ DISTRIBUTION'"),
    ("lambda ~ Normal(0, 1)", 1, "Python keyword"),
    ("_x ~ Normal(0, 1)", 1, "'_'"),
    ("pi ~ Normal(0, 1)", 1, "built-in"),
    ("log = 3", 1, "built-in"),
    ("bounds ~ Normal(0, 1)", 1, "built-in"),
    ("x ~ Normal(_y, 1)", 1, "'_'"),
    ("x ~ _Normal(0, 1)", 1, "'_'"),
    ("x ~ Normal(0, _scale=1)", 1, "'_'"),
    ("x = 'a'", 1, "only numbers"),
    ("x = True", 1, "only numbers"),
    ("x = 1j", 1, "only numbers"),
    ("x = 1e999", 1, "not a finite number"),
    ("x = 1 / 0", 1, "not a finite number"),
    ("x = log(0)", 1, "not a finite number"),
    ("x = 1 // 2", 1, "'//'"),
    ("x = 1 % 2", 1, "'%'"),
    ("x = ~1", 1, "operator '~'"),
    ("x = not 1", 1, "'not'"),
    ("x = 1 in 2", 1, "comparisons: <"),  # issue 22: < <= > >= == != give 0/1; in, is are refused
    ("x = 1 and 2", 1, "'and'/'or'"),
    ("x = 1 if 1 else 2", 1, "conditional"),
    ("x = (1, 2)", 1, "tuple"),
    ("x = {1: 2}", 1, "dict"),
    ("x = f'{1}'", 1, "string"),
    ("x = (y := 2)", 1, "':='"),
    ("x ~ Normal(0, 1) + 1", 1, "cannot be used in arithmetic"),
    ("x ~ -Normal(0, 1)", 1, "cannot be used in arithmetic"),
    ("x ~ log(Normal(0, 1))", 1, "a distribution where a number is expected"),
    ("x ~ Normal(Normal(0, 1), 1)", 1, "a distribution where a number is expected"),
    ("x ~ Normal(loc=Normal(0, 1))", 1, "a distribution where a number is expected"),
    ("x ~ bounds(1, 0, 10)", 1, "needs a distribution as its first argument"),
    ("x ~ bounds(Normal(0, 1), 0)", 1, "takes a distribution and 2 numbers"),
    ("x ~ exp(Normal(0, 1), 2)", 1, "takes a distribution and 0 numbers"),
    ("x ~ affine(Normal(0, 1), loc=1, scale=2)", 1, "no keyword arguments"),
    ("x = minimum(1)", 1, "takes 2 arguments"),
    ("x = log()", 1, "needs an argument"),
    ("x = log", 1, "is a function"),
    ("x = pi(2)", 1, "is a constant"),
    ("a = 1\nx ~ a(2)", 2, "is a model variable"),
    ("x ~ Normal(0, 1, loc=1, loc=2)", 1, "given twice"),
    ("x ~ Normal(0, 1)\ny = x.real", 2, "attribute access"),
    ("x ~ Normal(0, 1)\ny = open('/etc/passwd')", 2, "only numbers"),
    ("x = \x00", 1, "cannot parse"),
]


@pytest.mark.parametrize("spec, line, fragment", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_and_malformed_specs_are_usage_errors(spec, line, fragment):
    with pytest.raises(UsageError) as info:
        parse_model(spec)
    message = str(info.value)
    assert message.startswith(f"line {line}: "), message
    assert fragment in message, message
    assert " in '" in message
    assert len(message) < 400
    assert info.value.exit_code == 2


def test_redundant_parentheses_are_harmless():
    assert parse_model("x = " + "(" * 150 + "1" + ")" * 150)["x"].expr == Num(1.0)


def test_error_message_format_from_the_issue():
    spec = "a ~ Normal(0, 1)\nb ~ Normal(0, 1)\ntheta ~ LogNormal(foo, 1)"
    with pytest.raises(UsageError) as info:
        parse_model(spec)
    assert str(info.value) == "line 3: unknown name 'foo' in 'theta ~ LogNormal(foo, 1)'"


@pytest.mark.parametrize("spec", ["", "   \n\n", "# nothing\n  # here", ";;;"])
def test_empty_model(spec):
    with pytest.raises(UsageError, match="empty"):
        parse_model(spec)


def test_huge_spec_is_refused_quickly():
    spec = "x ~ Normal(0, 1)\n" * (10 * 1024 * 1024 // 17)
    assert len(spec) > 10_000_000
    with pytest.raises(UsageError, match="too large"):
        parse_model(spec)
    with pytest.raises(UsageError, match="too large"):
        parse_distribution("Normal(0, 1)" + " " * MAX_SPEC_CHARS)


def test_too_many_statements():
    with pytest.raises(UsageError, match="statements; the limit"):
        parse_model("; ".join(f"x{i} = {i}" for i in range(5000)))


def test_nothing_is_executed(tmp_path, monkeypatch):
    import builtins
    import os

    target = tmp_path / "pwned"
    called = []
    monkeypatch.setattr(os, "system", lambda *a: called.append(a))
    monkeypatch.setattr(builtins, "open", lambda *a, **k: called.append(a))
    attempts = [
        f"x = __import__('os').system('touch {target}')",
        f"x ~ Normal(0, 1); y = open({str(target)!r}, 'w').write('x')",
        f"x ~ open({str(target)!r}, 'w')",
        f"x ~ Normal(0, 1)\ny = [open({str(target)!r}, 'w') for _ in 'a']",
        "x = (lambda: __import__('os').system('touch " + str(target) + "'))()",
        "x = exec('import os')",
        "x = eval('1')",
        "x ~ Normal(0, 1).__class__.__base__.__subclasses__()",
    ]
    for spec in attempts:
        with pytest.raises(UsageError):
            parse_model(spec)
    # a plain unknown call parses as a distribution; only the injected callback decides
    model = parse_model("x ~ system(1, 2)")
    assert model["x"].expr.family == "system"
    with pytest.raises(UsageError, match=r"^line 1: unknown family 'system' in 'x ~ system\(1, 2\)'$"):
        run_model(model, 10, make_sample_fn(np.random.default_rng(0), 10))
    assert not target.exists() and called == []


def test_run_model_checks_n_and_the_callback_shape():
    m = parse_model("x ~ Normal(0, 1)")
    for bad in (0, -1, 2.5, True):
        with pytest.raises(UsageError, match="number of draws"):
            run_model(m, bad, make_sample_fn(np.random.default_rng(0), 1))
    with pytest.raises(ValueError, match="shape"):
        run_model(m, 3, lambda *a: np.zeros(4))


def test_errors_from_the_callback_keep_their_class():
    class Boom(PriorError):
        exit_code = 1

    def sample_fn(*a):
        raise Boom("solver did not converge")

    with pytest.raises(Boom, match=r"^line 2: solver did not converge in 'y ~ LogNormal\(mode=2\)'$"):
        run_model(parse_model("x = 1\ny ~ LogNormal(mode=2)"), 5, sample_fn)


def test_unicode_and_soft_keyword_names():
    m = parse_model("θ ~ Normal(0, 1); match = θ * 2; type = match + 1")
    assert m.names == ("θ", "match", "type")
    d = run_model(m, 4, make_sample_fn(np.random.default_rng(0), 4))
    np.testing.assert_allclose(d["type"], 2 * d["θ"] + 1)
