"""The model-language commands: ``sample --model SPEC`` (read the spec within the size limit and
the ``--data``, sample, hand the variables to :mod:`priorcli.commands.variables`) and the ``--emit`` writer that
``compare --emit`` shares. Called by ``cli.py`` and ``commands.compare``; raises PriorError
subclasses and never exits."""

from __future__ import annotations

from typing import TextIO

from priorcli.render import output as render
from priorcli.errors import UsageError
from priorcli.families.registry import resolve
from priorcli.commands.options import OutputOptions


def read_model_text(spec: str) -> str:
    """SPEC is '-' (stdin), a file path, or the model text itself. A file or stdin is read as UTF-8
    and at most up to the model language's size limit (so /dev/zero or an endless pipe is refused
    after 100,001 characters, not read whole)."""
    import os
    import sys

    from priorcli.errors import InputError

    if spec == "-":
        return _read_limited(getattr(sys.stdin, "buffer", None) or sys.stdin, "--model '-' (stdin)")
    if "~" not in spec and "=" not in spec or os.path.isfile(spec):
        try:
            with open(spec, "rb") as handle:
                return _read_limited(handle, f"--model '{spec}'")
        except OSError as exc:
            raise InputError(f"--model '{spec}': cannot read it ({exc.strerror})") from None
    return spec


def _read_limited(handle, what: str) -> str:
    """At most MAX_SPEC_CHARS + 1 characters of UTF-8 from a binary (or text) handle."""
    import codecs

    from priorcli.errors import InputError
    from priorcli.model.tree import MAX_SPEC_CHARS

    decoder = codecs.getincrementaldecoder("utf-8")()
    parts, count, offset = [], 0, 0
    while count <= MAX_SPEC_CHARS:
        chunk = handle.read(65536)
        if isinstance(chunk, str):  # a text stream without a buffer (already decoded)
            text = chunk
        else:
            pending = len(decoder.getstate()[0])  # bytes of a character begun in the last chunk
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                raise InputError(f"{what}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                                 f"{offset - pending + exc.start}); save the model as UTF-8") from None
            offset += len(chunk)
        parts.append(text)
        count += len(text)
        if not chunk:
            break
    if count > MAX_SPEC_CHARS:
        raise UsageError(f"{what}: the model spec is too large (more than {MAX_SPEC_CHARS} characters; "
                         f"the limit is {MAX_SPEC_CHARS})")
    return "".join(parts)


def sample_model(spec_text: str, options: OutputOptions, *, show: str | None, emit: str | None, out: TextIO,
                 emit_output: str | None = None, plot: str | None = None, data: list[str] | None = None) -> None:
    from priorcli.commands import variables
    from priorcli.commands.data import read_data, unused_warning
    from priorcli.model import parse as lang
    from priorcli.model.numpyro import is_family, sample_model as run

    model = lang.parse_model(read_model_text(spec_text), is_family=is_family, data=read_data(data))
    unused_warning(model.unused_data)
    shapes = {n: _placeholder(model[n]) for n in model.names}
    names = [s.key for s in variables.select(shapes, show)]  # checked before sampling
    if emit is not None:
        if any("[" in n for n in names):
            raise UsageError(f"--show '{show}': --emit prints whole variables; name them without [i]")
        write_emitted(model, emit, options, tuple(names), "priorcli sample --model ...", emit_output, out)
        return
    shown = variables.select(run(model, options.draws, options.seed), show)
    variables.report(shown, options, out, title=f"model: {options.draws} draws, seed {options.seed} (Monte Carlo)",
                     plot=plot, kind=lambda base: (_is_discrete(model[base]), _is_bounded(model[base])),
                     exact=_exact_marginals(model, shown, options.quantiles))


def _exact_marginals(model, shown, quantiles) -> dict:
    """key -> variables.Exact for each shown matrix variable (or element) with an exact element marginal."""
    from priorcli.commands import variables
    from priorcli.model.numpyro import exact_marginal
    from priorcli.stats import exact as stats

    out = {}
    for s in shown:
        found = exact_marginal(model[s.base])
        if found is None:
            continue
        spec, applies = found
        statement = model[s.base]
        names = variables.element_names(statement, s.base)
        if s.key != s.base:  # one element, --show L[1]
            index = int(s.key[len(s.base) + 1:-1])
            if index not in applies:
                continue
            applies = (index,)
        out[s.key] = variables.Exact(stats.ExactDistribution(spec).summary(quantiles), names,
                                     tuple(names[i] for i in applies))
    return out


def _placeholder(statement):
    """An array of the statement's shape for one draw, to check --show before sampling."""
    import numpy as np

    return np.zeros((1,) if statement.size is None else (1, statement.size))


def _is_discrete(statement) -> bool:
    """A variable drawn from a discrete family (plotted as integer bins, like sample FAMILY)."""
    if not statement.is_random or statement.expr.transforms:
        return False
    from priorcli.stats.metalog import is_metalog

    families = [c.family for c in statement.expr.components] or [statement.expr.family]  # a Mixture's components
    return all(not is_metalog(name) and resolve(name).discrete for name in families)


def _is_bounded(statement) -> bool:
    """A variable drawn from a family on an interval ([0, 1], (low, high) from its parameters, or a
    Dirichlet's simplex), untransformed: its plot keeps a linear axis, as sample FAMILY's does."""
    from priorcli.stats.metalog import is_metalog

    if not statement.is_random or statement.expr.transforms or statement.expr.components:
        return False
    if is_metalog(statement.expr.family):  # bounded on both sides: an interval
        return {"lower", "upper"} <= {k for k, _ in statement.expr.kwargs}
    family = resolve(statement.expr.family)
    return family.multivariate or family.support in ("[0, 1]", "(low, high), set by the parameters")


def write_emitted(model, target: str, options: OutputOptions, show: tuple[str, ...], command: str,
                  output: str | None, out: TextIO) -> None:
    """The model as a program for ``target`` (see priorcli.emit), on stdout or written to ``output``
    whole (checked before anything is written)."""
    from priorcli import emit

    target = emit.parse_target(target)
    if output is not None:
        emit.check_output_path(output, target)
    code = emit.emit(model, target, emit.EmitOptions(options.seed, options.draws, options.quantiles, show, command))
    if output is None:
        render.write_text(code, out)
    else:
        render.write_text_file(output, code, force=options.force)


def sample_numpyro(spec: str, options: OutputOptions, *, show: str | None, out: TextIO, plot: str | None = None,
                   data: list[str] | None = None, args: list[str] | None = None) -> None:
    """``sample --numpyro FILE.py:FUNCTION``: the prior predictive of the user's own numpyro model
    (``--data`` as jnp arrays, ``--arg k=v`` as numbers, both keyword arguments), shown as
    ``sample --model`` shows its variables."""
    from priorcli.commands import variables
    from priorcli.commands.data import read_data
    from priorcli.families.registry import numpyro_dist
    from priorcli.model import user

    kwargs = _numpyro_arguments(read_data(data), args or [])
    function = user.load_function(spec)
    user.check_arguments(function, kwargs, spec)
    numpyro_dist()  # float64 and jax's compilation cache, before any jax array exists
    import jax.numpy as jnp

    kwargs = {k: jnp.asarray(v) if not isinstance(v, (int, float)) else v for k, v in kwargs.items()}
    values, kinds = user.prior_predictive(function, kwargs, options.draws, options.seed, spec)
    shown = variables.select(values, show)
    variables.report(shown, options, out, title=f"numpyro model {spec}: {options.draws} draws, seed {options.seed} "
                     "(Monte Carlo, Predictive)", plot=plot,
                     kind=lambda base: (kinds[base].discrete, kinds[base].bounded))


def _numpyro_arguments(data, args: list[str]) -> dict:
    """--data items (vectors as numpy arrays, numbers as floats) and --arg k=v (an int when written as one)."""
    import numpy as np

    kwargs: dict = {d.name: np.asarray(d.values, dtype=np.float64) if d.vector else d.values[0] for d in data}
    for item in args:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise UsageError(f"--arg '{item}': expected NAME=NUMBER, e.g. --arg n=10")
        if name in kwargs:
            raise UsageError(f"--arg '{item}': '{name}' is given twice (by --data or --arg)")
        kwargs[name] = _arg_number(text.strip(), item)
    return kwargs


def _arg_number(text: str, item: str):
    from priorcli.families.registry import number_in

    try:
        return int(text)  # a whole number stays an int (a size, a count)
    except ValueError:
        return number_in(text, f"--arg '{item}'")