"""``--emit stan`` and ``--emit stan-prior``: the model as a Stan program.

``stan``: each sampled variable is a parameter declared with the constraint of its support; a
deterministic line is a transformed parameter; a transformed distribution puts the prior on an
untransformed parameter ``NAME_raw`` and defines NAME as a transformed parameter, so no Jacobian
is needed (the Stan guide's "transformation, not change of variables"). ``stan-prior``: the same
prior as ``_rng`` draws in ``generated quantities``, for Stan's fixed_param algorithm.
"""

from __future__ import annotations

import json
import re

from priorcli.model import parse as lang
from priorcli.emit import frameworks, metalog, mixture, plan, truncated_stan
from priorcli.emit.syntax import Syntax, compare_functions, is_int, render

# Words stanc refuses as variable names (stanc3 lexer; checked against stanc in the tests), and
# words newer Stan versions reserve.
RESERVED = frozenset(
    """
    functions data transformed parameters model generated quantities
    for in while repeat until if then else true false target
    int real complex vector row_vector matrix complex_vector complex_row_vector complex_matrix
    array tuple ordered positive_ordered simplex unit_vector sum_to_zero_vector sum_to_zero_matrix
    cholesky_factor_corr cholesky_factor_cov corr_matrix cov_matrix
    column_stochastic_matrix row_stochastic_matrix
    void return break continue print reject fatal_error profile
    lower upper offset multiplier jacobian
    struct typedef export auto extern var static lp_accum__
    """.split()
)

FUNCTIONS = {
    "log": "log",
    "exp": "exp",
    "sqrt": "sqrt",
    "log1p": "log1p",
    "expm1": "expm1",
    "softplus": "log1p_exp",
    "sigmoid": "inv_logit",
    "logit": "logit",
    "probit": "inv_Phi",
    "inv_probit": "Phi",
    "abs": "abs",
    "minimum": "fmin",
    "maximum": "fmax",
}
CONSTANTS = {"pi": "pi()", "e": "e()"}
REDUCTIONS = {"mean": "mean({})", "sd": "sd({})", "min": "min({})", "max": "max({})", "sum": "sum({})",
              "count": "sum({})"}


def emit(variables: tuple[plan.Variable, ...], *, prior: bool, command: str, data: tuple = ()) -> str:
    plan.check_names(variables, RESERVED, "Stan", ascii_only=True)
    plan.check_names([plan.DataName(d) for d in data], RESERVED, "Stan", ascii_only=True)
    program = _Program(variables, prior, data)
    header = plan.header(variables, command, "//")
    if data:
        header.append("// Data, as CmdStan's JSON data file (the values priorcli was given):")
        header.append(f"// {json.dumps(_data_json(data))}")
    if prior:
        header.append("// Every variable is drawn in generated quantities: run it with the fixed_param algorithm.")
        lines = header + program.block("data", program.data) + program.block("generated quantities", program.generated)
    else:
        if any(v.transforms for v in variables):
            header.append("// Transformed priors sit on an untransformed parameter (NAME_raw), so no Jacobian is needed.")
        lines = header + program.block("data", program.data) + program.block("parameters", program.parameters)
        lines += program.block("transformed parameters", program.transformed)
        lines += program.block("model", program.model)
    used = sorted(set(re.findall(r"\bcmp_(lt|le|gt|ge|eq|ne)\(", "\n".join(lines))))
    # user-defined functions: the families' Stan lacks (Triangular's), then the comparisons used
    functions = [line for source in program.functions for line in source.splitlines()]
    if used:
        ops = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
        functions += list(compare_functions(ops[u] for u in used))
    if functions:
        at = len(header)
        lines[at:at] = program.block("functions", functions)
    return "\n".join(lines) + "\n"


def _is_int(item) -> bool:
    return not item.vector and item.values[0] == int(item.values[0]) and abs(item.values[0]) < 2**31


def _data_json(data) -> dict:
    return {d.name: ([float(v) for v in d.values] if d.vector else int(d.values[0]) if _is_int(d)
                     else float(d.values[0])) for d in data}


class _Program:
    def __init__(self, variables, prior: bool, data: tuple = ()):
        self.prior = prior
        self.data = [f"vector[{d.size}] {d.name};" if d.vector else f"{'int' if _is_int(d) else 'real'} {d.name};"
                     for d in data]
        self.parameters: list[str] = []
        self.transformed: list[str] = []
        self.model: list[str] = []
        self.generated: list[str] = []
        self.functions: list[str] = []  # user-defined functions the families need, each once
        integers = {v.name for v in variables if v.discrete and v.statement.size is None}
        sizes = {v.name: v.statement.size for v in variables if v.statement.size is not None}
        self.syntax = Syntax("^", FUNCTIONS, CONSTANTS, frozenset(integers | {d.name for d in data if _is_int(d)}), True,
                             vector="[{}]'", varying_vector="[{}]'", elementwise=True,
                             sizes={**sizes, **{d.name: d.size for d in data if d.vector}}, reductions=REDUCTIONS,
                             sorted_element="sort_asc({v})[{i}]", index_base=1, compare="({l} {op} {r} ? 1.0 : 0.0)",
                             vector_compare="cmp_{name}({l}, {r})")
        self.inline: dict[str, lang.Expr] = {}  # transformed parameters, as expressions of parameters
        taken = {v.name for v in variables}
        self.uniforms = metalog.uniform_names(variables, taken)  # a metalog's uniform, x_u
        for v in variables:
            if not v.random:
                self._deterministic(v)
            elif v.transforms:
                self._transformed(v, plan.fresh_name(f"{v.name}_raw", taken))
            else:
                self._sampled(v, v.name)

    @staticmethod
    def block(name: str, lines: list[str]) -> list[str]:
        return [f"{name} {{"] + [f"  {line}" if line else "" for line in lines] + ["}"] if lines else []

    def expr(self, e: lang.Expr) -> str:
        return render(e, self.syntax)

    def _deterministic(self, v: plan.Variable) -> None:
        line = f"{_type(v)} {v.name} = {self.expr(v.expr)};"
        (self.generated if self.prior else self.transformed).append(line)
        self.inline[v.name] = plan.substitute(v.expr, self.inline)

    def _transformed(self, v: plan.Variable, raw: str) -> None:
        self._sampled(v, raw)
        value = plan.transformed(v.transforms, lang.Name(raw))
        if self.prior:
            self.generated.append(f"real {v.name} = {self.expr(value)};")
            return
        lo, hi = plan.transformed_bounds(v)
        bounds = _constraint(None if lo is None else plan.number(lo), None if hi is None else plan.number(hi),
                             self.expr)
        self.transformed.append(f"real{bounds} {v.name} = {self.expr(value)};")
        self.inline[v.name] = plan.substitute(value, self.inline)

    def _sampled(self, v: plan.Variable, name: str) -> None:
        if v.components:
            return mixture.stan_sampled(self, v, name, "stan-prior" if self.prior else "stan")
        if v.name in self.uniforms:
            return metalog.stan_sampled(self, v, name, self.uniforms[v.name])
        entry = frameworks.stan(v.family.name)
        if entry is None:
            raise plan.error(v.statement, f"'{v.name}' ~ {v.family.name}: Stan has no {v.family.name} distribution; "
                                          f"choose another family for --emit {'stan-prior' if self.prior else 'stan'}")
        if entry.functions and entry.functions not in self.functions:
            self.functions.append(entry.functions)
        if self.prior:
            self._draw(v, name, entry)
            return
        if v.discrete:
            raise plan.error(v.statement, f"'{v.name}' ~ {v.family.name} is discrete, and a Stan parameter cannot be; "
                                          "use --emit stan-prior to draw it in generated quantities")
        if v.family.closed is not None and v.family.closed.atom:
            raise plan.error(v.statement, f"'{v.name}' ~ {v.family.name} has a point mass at 0, which a Stan "
                                          "parameter cannot have; use --emit stan-prior to draw it in generated "
                                          "quantities")
        if entry.matrix:  # LKJ: cholesky_factor_corr[K]
            self.parameters.append(f"{entry.matrix}[{self._dimension(v)}] {name};")
        elif v.statement.size is not None and v.family.multivariate:  # a Dirichlet
            self.parameters.append(f"simplex[{v.statement.size}] {name};")
        else:
            lower, upper = plan.support_bounds(v.family.name)
            lower, upper = self._bound(lower, v), self._bound(upper, v)
            if v.truncate is not None:  # the truncation's ends bound the parameter
                lower, upper = _truncated_bounds(v, lower, upper)
            bounds = _constraint(lower, upper, self.expr)
            size = v.statement.size
            self.parameters.append(f"real{bounds} {name};" if size is None else f"vector{bounds}[{size}] {name};")
        self.model.append(f"{name} ~ {entry.name}({self._args(v, entry.args, entry.ints)}){_stan_truncation(v)};")

    def _dimension(self, v: plan.Variable) -> str:
        return self._int_arg(v, "dimension", plan.template("dimension", v.params))

    def _bound(self, text: str | None, v: plan.Variable) -> lang.Expr | None:
        """A support bound, with transformed parameters written out: a parameter's bounds may only
        use parameters declared before it."""
        if text is None:
            return None
        return plan.substitute(plan.template(text, v.params), self.inline)

    def _draw(self, v: plan.Variable, name: str, entry: frameworks.Stan) -> None:
        rng_name, args, ints = entry.name, entry.args, entry.ints
        if entry.rng is not None:
            (rng_name, args) = entry.rng
        if entry.rng_ints is not None:
            ints = entry.rng_ints
        draw = f"{rng_name}_rng({self._args(v, args, ints)})"
        if v.statement.size is not None and not v.family.multivariate:  # one draw per element: an array
            draw = f"to_vector({draw})"
        if entry.half:
            draw = f"abs({draw})"
        kind = "int" if v.discrete and v.statement.size is None else _type(v)
        if entry.matrix:
            kind = f"matrix[{self._dimension(v)}, {self._dimension(v)}]"
        if v.truncate is not None:  # Stan has no truncated _rng: truncated_stan's, exact and bounded
            if v.statement.size is not None:
                raise plan.error(v.statement, "--emit stan-prior draws a truncated number, not a vector")
            self.generated.append(f"{kind} {name} = {self._truncated_draw(v, entry, args, ints)};")
            return  # (its draws are wrapped inside the function)
        self.generated.append(f"{kind} {name} = {draw};")
        if entry.wrap:  # von_mises_rng's [loc - pi, loc + pi] onto numpyro's [-pi, pi)
            self.generated.append(f"{name} = {name} - 2 * pi() * floor(({name} + pi()) / (2 * pi()));")

    def _truncated_draw(self, v: plan.Variable, entry: frameworks.Stan, args, ints) -> str:
        """``normal_truncated_rng(lo, hi, ...)``: the ends are the truncation's, an open one the
        support's bound (or an infinity); a half family is its base truncated to [max(lo, 0), hi]."""
        source = truncated_stan.function(entry)
        if source not in self.functions:
            self.functions.append(source)
        lower, upper = plan.support_bounds(v.family.name)
        lower, upper = _truncated_bounds(v, self._bound(lower, v), self._bound(upper, v))
        if entry.half:
            lower = lang.Num(max(v.truncate.low if v.truncate.low is not None else 0.0, 0.0))
        lo = "negative_infinity()" if lower is None else self.expr(lower)
        hi = "positive_infinity()" if upper is None else self.expr(upper)
        return f"{truncated_stan.name(entry)}({lo}, {hi}, {self._args(v, args, ints)})"

    def _args(self, v: plan.Variable, templates: tuple[str, ...], ints: tuple[int, ...]) -> str:
        out = []
        for i, text in enumerate(templates):
            value = plan.template(text, v.params)
            if i in ints:
                out.append(self._int_arg(v, text, value))
            else:
                out.append(self.expr(value))
        return ", ".join(out)

    def _int_arg(self, v: plan.Variable, text: str, value: lang.Expr) -> str:
        constant = lang._const(value)
        if constant is not None and constant == int(constant) and abs(constant) < 2**31:
            return str(int(constant))
        if is_int(value, self.syntax):
            return self.expr(value)
        raise plan.error(v.statement, f"'{v.name}' ~ {v.family.name}: Stan takes {text} as an integer; give a whole "
                                      "number or a discrete variable")


def _stan_truncation(v: plan.Variable) -> str:
    """`` T[1, ]``: Stan's truncation of a sampling statement (a half family's lower end is 0)."""
    if v.truncate is None:
        return ""
    half = frameworks.stan(v.family.name).half
    low = repr(v.truncate.low) if v.truncate.low is not None else ("0" if half else "")
    high = "" if v.truncate.high is None else repr(v.truncate.high)
    return f" T[{low}, {high}]"


def _truncated_bounds(v: plan.Variable, lower, upper):
    """The support's bounds narrowed to the truncation's ends (constants)."""
    def pick(bound, end, tighter):
        if end is None:
            return bound
        value = lang._const(bound) if bound is not None else None
        return lang.Num(end if value is None or tighter(end, value) else value)

    return (pick(lower, v.truncate.low, lambda e, b: e > b), pick(upper, v.truncate.high, lambda e, b: e < b))


def _type(v: plan.Variable) -> str:
    return "real" if v.statement.size is None else f"vector[{v.statement.size}]"


def _constraint(lower: lang.Expr | None, upper: lang.Expr | None, show) -> str:
    parts = ([f"lower={show(lower)}"] if lower is not None else []) + \
            ([f"upper={show(upper)}"] if upper is not None else [])
    return f"<{', '.join(parts)}>" if parts else ""
