"""Parameter domains (priorcli.records.domain) against numpyro's own constraint objects.

For every discovered family, each parameter's Domain as built from numpyro's constraint
(registry.domain_of) agrees with that constraint: its typical value satisfies it, values just
outside each finite end do not, an end is closed exactly where the constraint holds there, and
whole-number domains refuse what lies between whole numbers. The domain a family ends up with
(refined by its record where an end is degenerate) lies inside numpyro's. The oracle is numpyro's
constraint called on the value.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from priorcli.families import help as familyhelp
from priorcli.families.registry import domain_of, registry
from priorcli.records import RECORDS
from priorcli.records.domain import MAX_WHOLE, NAMED, POSITIVE, UNIT_INTERVAL, named


def _params():
    # a parameter numpyro gives no constraint (LKJ's dimension, a plain int) has its record's domain only
    return [(name, p) for name, f in registry().items() for p in f.params if p.constraint is not None]


PARAMS = _params()


def _holds(constraint, value, event_dim) -> bool:
    value = np.full((3,) * event_dim, value) if event_dim else np.asarray(value, dtype=float)
    return bool(np.all(np.asarray(constraint(value))))


def _outside(domain):
    """Values just beyond each finite end of a scalar domain (the end itself when it is open)."""
    out = []
    if math.isfinite(domain.low):
        out.append(domain.low if not domain.low_closed else np.nextafter(domain.low, -math.inf))
        if domain.integer:
            out.append(domain.low - 1.0)
    if math.isfinite(domain.high) and not (domain.integer and domain.high == MAX_WHOLE):
        out.append(domain.high if not domain.high_closed else np.nextafter(domain.high, math.inf))
    return out


@pytest.mark.parametrize("family,param", PARAMS, ids=[f"{n}.{p.name}" for n, p in PARAMS])
def test_discovered_domain_agrees_with_numpyros_constraint(family, param):
    domain = domain_of(param.constraint)
    if domain.dependent:  # bounds set by the other parameters: numpyro cannot check one alone
        return
    if domain.vector is not None:
        probe = {"simplex": (0.2, 0.3, 0.5), "real": (-1.0, 0.0, 2.0), "ordered": (-1.0, 0.0, 2.0)}[domain.vector]
        assert bool(np.all(param.constraint(np.asarray(probe)))), (family, param.name)
        assert domain.contains(probe) in (True, None)
        if domain.vector == "simplex":
            assert domain.contains((0.2, 0.3, 0.6)) is False and not bool(param.constraint(np.asarray([0.2, 0.3, 0.6])))
        return
    assert domain.includes(domain.typical) and _holds(param.constraint, domain.typical, param.event_dim)
    for v in _outside(domain):
        assert not domain.includes(v), (family, param.name, v)
        assert not _holds(param.constraint, v, param.event_dim), (family, param.name, v)
    for end, closed in ((domain.low, domain.low_closed), (domain.high, domain.high_closed)):
        if math.isfinite(end) and end != MAX_WHOLE:
            assert closed == _holds(param.constraint, end, param.event_dim), (family, param.name, end)
    if domain.integer:
        assert not domain.includes(domain.typical + 0.5)
        assert not _holds(param.constraint, domain.typical + 0.5, param.event_dim)
    assert bool(param.constraint.is_discrete) == domain.integer


@pytest.mark.parametrize("family,param", PARAMS, ids=[f"{n}.{p.name}" for n, p in PARAMS])
def test_a_familys_domain_lies_inside_numpyros(family, param):
    """The record's domain refines numpyro's (Geometric's probs strictly inside (0, 1)): its
    typical value and points just inside its ends satisfy numpyro's constraint."""
    domain = param.domain
    if domain.dependent or domain.vector is not None:
        return
    inside = [domain.typical]
    if math.isfinite(domain.low):
        inside.append(domain.low if domain.low_closed else np.nextafter(domain.low, math.inf))
    if math.isfinite(domain.high) and domain.high != MAX_WHOLE:
        inside.append(domain.high if domain.high_closed else np.nextafter(domain.high, -math.inf))
    for v in inside:
        v = float(np.ceil(v)) if domain.integer else v
        assert domain.includes(v), (family, param.name, v)
        assert _holds(param.constraint, v, param.event_dim), (family, param.name, v)


def test_records_declare_the_domains_by_name():
    assert named("positive") is POSITIVE and named(UNIT_INTERVAL) is UNIT_INTERVAL
    for record in RECORDS.values():
        for p in record.params:
            assert p.domain is NAMED[p.kind]  # one object per domain, shared by every record


def test_domain_messages_and_coordinates():
    assert POSITIVE.contains(0.0) is False and POSITIVE.contains(1e-300) is True
    assert UNIT_INTERVAL.contains(0.0) and NAMED["open_unit_interval"].contains(0.0) is False
    assert NAMED["nonnegative_integer"].contains(MAX_WHOLE) and not NAMED["nonnegative_integer"].contains(MAX_WHOLE + 2)
    for domain, v in ((POSITIVE, 3.5), (UNIT_INTERVAL, 0.25), (NAMED["real"], -2.0)):
        assert domain.constrained(domain.unconstrained(v)) == pytest.approx(v, rel=1e-15)


def test_domain_coordinates_are_numpyros_biject_to():
    """The math maps the solver uses (jax-free) are numpyro's own bijections."""
    from numpyro.distributions import constraints as c
    from numpyro.distributions.transforms import biject_to

    ys = np.linspace(-5.0, 5.0, 11)
    for constraint in (c.real, c.positive, c.unit_interval, c.open_interval(-2.0, 3.0), c.greater_than(1.5),
                       c.less_than(-1.0)):
        domain = domain_of(constraint)
        expected = np.asarray(biject_to(constraint)(ys))
        np.testing.assert_allclose([domain.constrained(float(y)) for y in ys], expected, rtol=1e-12)


def test_the_cached_registry_carries_the_structured_domains(private_cache):
    from priorcli.families import cache

    document = cache.registry_document(familyhelp.discovered_registry)
    assert document["format"] == cache.REGISTRY_FORMAT == 2
    path = cache.registry_cache_path()
    stored = json.loads(open(path, "rb").read())
    scale = dict((p[0], p[1]) for p in stored["families"]["Normal"]["params"])["scale"]
    assert scale == {"name": "positive", "low": 0.0, "high": None, "low_closed": False, "high_closed": False,
                     "integer": False, "typical": 1.0, "text": "a positive number", "vector": None,
                     "dependent": False}
    assert familyhelp.cached_registry()["Normal"].param("scale").domain == POSITIVE
    # a file in the old layout (constraint names) is not read: it is rebuilt
    old = dict(stored, families={n: dict(e, params=[[p[0], p[1]["name"], p[2], p[3]] for p in e["params"]])
                                 for n, e in stored["families"].items()})
    del old["format"]
    assert cache.parse_registry(json.dumps(old).encode()) is None
