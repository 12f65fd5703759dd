"""Seeded draws in fixed-size chunks, and a streaming summary for more draws than fit in memory.

Draws go through ``numpyro.handlers.seed`` and ``numpyro.sample`` inside one jitted function per
chunk shape. Chunk 0 uses the seed itself, so for n <= CHUNK the draws are exactly those of

    with numpyro.handlers.seed(rng_seed=SEED):
        numpyro.sample("x", dist, sample_shape=(n,))

Chunk i > 0 uses ``jax.random.fold_in(PRNGKey(SEED), i)``. CHUNK is a constant, so the output
for a seed never depends on anything but the seed and n. A single chunk is the function
``seed -> draws``, compiled once and kept on disk (``priorcli.sampling.compiled``), so that small samples
skip jax's tracing; it is the same program, so the same bytes.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from priorcli.stats.exact import DistSpec, Summary, build_distribution, finite_or_none, with_factory

CHUNK = 1 << 20  # draws per chunk; above this, summaries are computed in a streaming pass
# A vector family's draws are kept in memory, n x components values, and jax's gamma (Dirichlet)
# costs about a microsecond a value: beyond this many, -n is refused instead of running for minutes.
MAX_VECTOR_VALUES = 1 << 22
FINE_BINS = 1 << 18  # bins of the streaming histogram that quantiles are read from


def _sample_function(spec: DistSpec, size: int):
    """``(rng_seed, *arguments) -> draws``: rng_seed a key or an integer seed (the seed handler
    makes the key from it, inside the compiled program), ``arguments`` as ``runtime_arguments``
    gives them. The parameter values are inputs of the program, not constants in it, so one
    compiled program serves every value of the same shapes."""
    import numpyro

    from priorcli.families.transforms import TransformSpec

    spec = DistSpec(with_factory(spec.family), spec.params, spec.transforms, spec.truncate)  # see with_factory
    names = sorted(spec.params)

    def sample(rng_seed, *arguments):
        params = dict(zip(names, arguments))
        rest = iter(arguments[len(names):])
        transforms = tuple(TransformSpec(t.name, tuple(next(rest) for _ in t.args)) for t in spec.transforms)
        truncate = None if spec.truncate is None else _Ends(*(None if v is None else next(rest)
                                                             for v in (spec.truncate.low, spec.truncate.high)))
        with numpyro.handlers.seed(rng_seed=rng_seed):
            return numpyro.sample("x", build_distribution(DistSpec(spec.family, params, transforms, truncate)),
                                  sample_shape=(size,))

    return sample


@dataclass(frozen=True)
class _Ends:
    """A truncation's ends inside the sampling program (traced values; None: an open end)."""

    low: object
    high: object

    def ends(self):
        return self.low, self.high


def runtime_arguments(spec: DistSpec) -> tuple[np.ndarray, ...]:
    """The parameters (by name), the transforms' arguments (in order), then the truncation's finite
    ends (low, high), as the arrays the
    sampling program takes: integer parameters int64 (as build_distribution makes them), the rest
    float64; a vector parameter (Dirichlet's concentration) keeps its shape."""
    integer = {p.name for p in spec.family.params if p.domain.integer}
    values = [np.asarray(spec.params[k], dtype=np.int64 if k in integer else np.float64) for k in sorted(spec.params)]
    ends = () if spec.truncate is None else tuple(np.float64(v) for v in (spec.truncate.low, spec.truncate.high)
                                                  if v is not None)
    return tuple(values) + tuple(np.asarray(a, dtype=np.float64) for t in spec.transforms for a in t.args) + ends


def program_sources() -> tuple[str, ...]:
    """The files whose code builds the sampling program (a key of the stored programs)."""
    from priorcli.families import registry as families
    from priorcli.stats import exact as stats
    from priorcli.families import transforms
    from priorcli import dists  # its files by path: importing them would import numpyro

    # the distributions a program may build beside numpyro's: a mixture, a truncation, priorcli's own classes
    folder = os.path.dirname(stats.__file__)
    built = [os.path.join(folder, name) for name in ("mixture.py", "truncated.py")]
    classes = os.path.dirname(dists.__file__)
    built += sorted(os.path.join(classes, n) for n in os.listdir(classes) if n.endswith(".py"))
    return (__file__, stats.__file__, transforms.__file__, families.__file__, *built)


def _chunk_function(spec: DistSpec, size: int):
    """``(seed, index, *arguments) -> draws`` of chunk ``index`` of a streamed sample: the key
    ``PRNGKey(seed)`` for chunk 0 and ``fold_in(PRNGKey(seed), index)`` after it, made inside the
    program (the same key bits as made outside it, so the same draws; no key program to trace)."""
    import jax
    import jax.numpy as jnp

    sample = _sample_function(spec, size)

    def chunk(seed, index, *arguments):
        key = jax.random.PRNGKey(seed)
        return sample(jnp.where(index == 0, key, jax.random.fold_in(key, index)), *arguments)

    return chunk


STREAMED = "streamed chunk"  # the kind of the streaming path's programs in the compiled-sampler store


def draw_chunks(spec: DistSpec, n: int, seed: int) -> Iterator[np.ndarray]:
    """Float64 numpy arrays of at most CHUNK draws, n in total, in order.

    The work starts in this call, not at the first ``next``: jax is imported, the program loaded,
    the first chunk drawn and up to AHEAD more set going on jax's own threads, so what the caller
    does before its loop (the exact summaries, scipy's) runs while they are computed."""
    from priorcli.families.registry import configured_jax

    _check_vector_budget(spec, n)
    configured_jax()  # float64 and the compilation cache, before any jax array exists (numpyro: when compiling)
    from priorcli.sampling.compiled import draw_single_chunk, interruptible, stored_program

    arguments = runtime_arguments(spec)
    view = _reading(spec)
    if n <= CHUNK:
        return iter([view(draw_single_chunk(spec, n, seed, lambda: _sample_function(spec, n), program_sources(),
                                            arguments))])
    # One program per chunk size (CHUNK and the last chunk's), from the compiled-sampler store.
    programs: dict[int, object] = {}

    def dispatch(index: int):  # compiles or loads the first time: in a worker thread, so Ctrl-C is heard
        size = min(CHUNK, n - index * CHUNK)
        inputs = (np.int64(seed), np.int64(index))
        if size not in programs:
            programs[size], first = stored_program(
                spec, size, lambda: _chunk_function(spec, size), program_sources(), inputs, arguments, STREAMED,
                lambda program: program(*inputs, *arguments).block_until_ready())
            return first
        return programs[size](*inputs, *arguments)  # returns at once; jax computes it meanwhile

    count = -(-n // CHUNK)
    # Chunk 0 and the last (another size, another program) first: both programs are then loaded and
    # checked before chunks run ahead, as a program's first run waits for the runs queued before it.
    pending = {index: interruptible(dispatch, index) for index in dict.fromkeys((0, count - 1))}
    following = min(count - 1, AHEAD + 1)  # the next to dispatch
    for index in range(1, following):
        pending[index] = interruptible(dispatch, index)
    return _in_order(pending, following, dispatch, count, view, interruptible)


AHEAD = 4  # streamed chunks under way beyond the one being summarised (8 MB each)


def _in_order(pending: dict, following: int, dispatch, count: int, view, interruptible) -> Iterator[np.ndarray]:
    """The chunks by index: ``pending`` maps those dispatched to jax's results, ``following`` is
    the next to dispatch (the last one is among them); one more is dispatched as each is handed out,
    so jax keeps drawing while numpy summarises."""
    for index in range(count):
        current = pending.pop(index)
        if following < count - 1:
            pending[following] = interruptible(dispatch, following)
            following += 1
        yield view(interruptible(np.asarray, current, np.float64))


def _reading(spec: DistSpec):
    """numpyro's draws as the family's record reads them (its ``reading``: VonMises unwrapped about
    loc), where the draws are the family's own (no transform); else the draws as they are."""
    record = spec.family.record
    hook = None if record is None or spec.transforms else record.reading
    if hook is None:
        return lambda x: x
    return lambda x: np.asarray(hook(x, **spec.params), dtype=np.float64)


def _check_vector_budget(spec: DistSpec, n: int) -> None:
    if not spec.family.multivariate:
        return
    from priorcli.errors import UsageError

    components = max((int(np.size(v)) for v in spec.params.values()), default=1)
    if n * components > MAX_VECTOR_VALUES:
        raise UsageError(
            f"-n/--draws {n} of a {components}-component {spec.family.name} is {n * components} values, more than "
            f"the {MAX_VECTOR_VALUES} drawn at most for a vector family; use -n {max(1, MAX_VECTOR_VALUES // components)} "
            "or fewer")


def draw(spec: DistSpec, n: int, seed: int) -> np.ndarray:
    """All n draws in memory (use draw_chunks with StreamingSummary for very large n)."""
    chunks = list(draw_chunks(spec, n, seed))
    return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)


# ---------------------------------------------------------------------------------------------
# Summaries of draws streamed chunk by chunk (the in-memory one, InMemoryDraws, is in mc_stats)


@dataclass
class StreamingDraws:
    """Moments and a fine histogram accumulated chunk by chunk, in bounded memory.

    Quantiles are read from the fine histogram by linear interpolation inside a bin, so their
    error is at most one bin width, (hi - lo) / FINE_BINS (a ratio hi/lo to the 1/FINE_BINS for
    log-spaced bins), on top of the Monte Carlo error. Draws outside [lo, hi] are counted; a
    quantile that falls among them is reported as unknown.
    """

    lo: float
    hi: float
    log_scale: bool
    discrete: bool = False

    def __post_init__(self):
        self.counts = np.zeros(FINE_BINS + 2, dtype=np.int64)  # [below, bins..., above]
        self.n = 0  # draws seen, non-finite ones included
        self._mean = 0.0  # of the finite draws, minus _shift
        self._m2 = 0.0
        self._shift = 0.0
        self._finite = 0  # finite draws, the ones in the moments and the histogram
        self.nonfinite = 0
        self.infinite = 0  # of which +-inf (overflowed)
        self._zeros, self._negative, self._min_positive = 0, False, math.inf  # mc_stats.out_of_range
        self._work: tuple[np.ndarray, np.ndarray] | None = None  # see _scratch
        self._a = math.log(self.lo) if self.log_scale else self.lo
        self._b = math.log(self.hi) if self.log_scale else self.hi

    @classmethod
    def for_range(cls, lo: float, hi: float, *, discrete: bool) -> "StreamingDraws":
        if discrete:
            lo, hi = math.floor(lo) - 0.5, math.ceil(hi) + 0.5
        log_scale = not discrete and lo > 0 and hi / lo > 1e3  # wide positive ranges: log bins
        return cls(lo, hi, log_scale, discrete)

    def add(self, chunk: np.ndarray) -> None:
        x = np.asarray(chunk, dtype=np.float64)
        m = int(x.size)
        # Two passes without temporaries answer the usual case (every draw finite; all positive):
        # min and max are NaN when a draw is, infinite when one is.
        low = float(x.min()) if m else math.inf
        if m and not (math.isfinite(low) and math.isfinite(float(x.max()))):
            finite = np.isfinite(x)
            self.nonfinite += int((~finite).sum())
            self.infinite += int(np.count_nonzero(np.isinf(x)))
            x = x[finite]  # counted as non-finite; never binned, moments reported unknown
            low = float(x.min()) if x.size else math.inf
        smallest = low
        if not self.discrete:
            if low <= 0:
                self._zeros += int(np.count_nonzero(x == 0.0))
                self._negative = self._negative or bool(np.any(x < 0))
                positive = x[x > 0]
                low = float(positive.min()) if positive.size else math.inf
            self._min_positive = min(self._min_positive, low)
        # Moments about a fixed shift (the first chunk's mean) keep the sums well conditioned;
        # chunks are then merged with Chan et al.'s pairwise update.
        with np.errstate(all="ignore"):  # draws near 1.8e308: their moments overflow, reported unknown
            self._add_moments(x)
        self.n += m
        self._add_counts(x, smallest)

    def _scratch(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Two work arrays of ``size`` (float64, intp), kept between chunks: no fresh pages a chunk."""
        if self._work is None or self._work[0].size < size:
            self._work = (np.empty(size, dtype=np.float64), np.empty(size, dtype=np.intp))
        return self._work[0][:size], self._work[1][:size]

    def _add_moments(self, x: np.ndarray) -> None:
        if self._finite == 0:
            self._shift = float(np.mean(x)) if x.size else 0.0
        k = int(x.size)
        if k:
            y = np.subtract(x, self._shift, out=self._scratch(k)[0])
            chunk_mean = float(y.sum()) / k
            # Squares summed pairwise (np.add.reduce), not by BLAS dot: dot's result depends on
            # how many threads OpenBLAS runs (the same seed printed another sd on another
            # machine), and its threads spin against jax's while the next chunk is drawn.
            np.multiply(y, y, out=y)
            chunk_m2 = max(float(np.add.reduce(y)) - k * chunk_mean * chunk_mean, 0.0)
            total = self._finite + k
            delta = chunk_mean - self._mean
            self._mean += delta * k / total
            self._m2 += chunk_m2 + delta * delta * self._finite * k / total
            self._finite = total

    def _add_counts(self, x: np.ndarray, smallest: float) -> None:
        """Bin index + 1 in [0, FINE_BINS + 1]: 0 collects draws below lo, the last above hi.
        ``smallest``: the smallest of the (finite) draws ``x``."""
        u, index = self._scratch(int(x.size))
        with np.errstate(all="ignore"):
            if self.log_scale:
                np.log(x, out=u)
                if not smallest > 0:  # the log of a draw <= 0 is -inf or NaN: below the grid, either way
                    np.fmax(u, -math.inf, out=u)
            else:
                np.subtract(x, 0.0, out=u)
        u -= self._a
        u *= FINE_BINS / (self._b - self._a)
        u += 1.0
        np.clip(u, 0.0, FINE_BINS + 1.0, out=u)
        np.copyto(index, u, casting="unsafe")  # truncation, as astype(np.intp)
        self.counts += np.bincount(index, minlength=FINE_BINS + 2)

    def _edge(self, k):
        u = self._a + (self._b - self._a) * np.asarray(k, dtype=np.float64) / FINE_BINS
        return np.exp(u) if self.log_scale else u

    def quantiles(self, probs) -> list[float | None]:
        cumulative = np.cumsum(self.counts)
        out: list[float | None] = []
        for p in probs:
            target = p * self._finite
            if target <= cumulative[0] or target > cumulative[-2]:
                out.append(None)  # among the draws outside [lo, hi]
                continue
            k = int(np.searchsorted(cumulative, target))  # counts index; bin k-1 on the fine grid
            before = cumulative[k - 1]
            fraction = (target - before) / self.counts[k]
            if self.discrete:  # the one integer inside the (narrow) bin
                out.append(float(math.ceil(float(self._edge(k - 1)))))
            else:
                out.append(float(self._edge(k - 1 + fraction)))
        return out

    def counts_on(self, edges: np.ndarray) -> np.ndarray:
        """Counts on coarser display bins, from the cumulative fine counts (interpolated)."""
        cumulative = np.concatenate([[0], np.cumsum(self.counts[1:-1])]).astype(np.float64)
        with np.errstate(divide="ignore"):  # an edge at 0 on a log grid is -inf: clipped to the grid's start
            u = np.log(edges) if self.log_scale else np.asarray(edges, dtype=np.float64)
        position = np.clip((u - self._a) * (FINE_BINS / (self._b - self._a)), 0, FINE_BINS)
        at_edges = np.interp(position, np.arange(FINE_BINS + 1), cumulative)
        return np.diff(at_edges)

    def positive(self) -> "StreamingDraws":
        return self

    def outside(self, lo: float, hi: float) -> tuple[int, int]:
        """Draws below ``lo`` and above ``hi``: the counts outside the fine grid plus its bins
        beyond them (interpolated within a fine bin, as counts_on does)."""
        lo, hi = min(max(lo, self.lo), self.hi), min(max(hi, self.lo), self.hi)
        below = self.counts[0] + self.counts_on(np.array([self.lo, lo]))[0]
        above = self.counts[-1] + self.counts_on(np.array([hi, self.hi]))[0]
        return int(round(float(below))), int(round(float(above)))

    def mode(self) -> float | None:
        """Centre of the tallest bin after merging fine bins into ~sqrt(n)-sized groups."""
        fine = self.counts[1:-1]
        if not fine.any():
            return None
        if self.discrete:
            k = int(np.argmax(fine))
            return float(math.ceil(float(self._edge(k))))
        group = max(1, FINE_BINS // 512)
        merged = fine.reshape(-1, group).sum(axis=1).astype(np.float64)
        if self.log_scale:  # counts per unit x, not per unit log x: the mode of X, not of log X
            with np.errstate(all="ignore"):  # bins near 1e-300 or 1e300
                merged /= np.diff(self._edge(np.arange(0, FINE_BINS + 1, group)))
            merged = np.nan_to_num(merged, nan=0.0, posinf=0.0)
        k = int(np.argmax(merged))
        return float(self._edge((k + 0.5) * group))

    def summary(self, probs, label: str = "") -> Summary:
        mean = finite_or_none(self._shift + self._mean) if self.nonfinite == 0 else None
        sd = finite_or_none(math.sqrt(self._m2 / (self._finite - 1))) if self._finite > 1 and self.nonfinite == 0 \
            else None
        if sd == 0.0 and np.count_nonzero(self.counts) > 1:
            sd = None  # squares of draws near 1e-300 underflowed: not a constant, an unknown sd
        quantiles = self.quantiles(list(probs) + [0.5, 0.01])
        from priorcli.stats.monte_carlo import UNDERFLOW_ZONE

        underflowed = self._zeros if self._zeros and not self._negative and self._min_positive < UNDERFLOW_ZONE else 0
        mode = self.mode()
        if underflowed and mode is not None and (quantiles[-1] is None or mode <= quantiles[-1]):
            mode = None  # the density peaks below what float64 resolves (mc_stats._continuous_mode)
        return Summary(
            mean=mean,
            sd=sd,
            median=quantiles[-2],
            mode=mode,
            quantiles=dict(zip(probs, quantiles[:-2])),
            method="monte-carlo",
            n=self.n,
            label=label,
            underflowed=underflowed,
            overflowed=self.infinite,
        )
