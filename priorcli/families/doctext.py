"""numpyro's docstrings (reStructuredText with LaTeX) as plain text for ``priorcli info``.

``:math:`\\mu``` becomes ``μ``, a ``.. math::`` block becomes indented formula lines,
``\\frac{a}{b}`` becomes ``a/b`` (with parentheses where needed), ``\\mathrm{Normal}`` becomes
``Normal``; Sphinx roles (``:attr:`loc```) keep their text; ``:param:``/``:type:`` fields, doctest
examples and reference lists are dropped (``info`` shows the parameters itself). Pure Python: no
numpyro import happens here, callers pass the docstring.
"""

from __future__ import annotations

import inspect
import re

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
SYMBOLS = {
    "in": "∈", "notin": "∉", "sim": "~", "mid": "|", "geq": "≥", "ge": "≥", "leq": "≤", "le": "≤", "neq": "≠",
    "ne": "≠", "approx": "≈", "equiv": "≡", "propto": "∝", "infty": "∞", "cdot": "·", "times": "×", "pm": "±",
    "to": "→", "rightarrow": "→", "mapsto": "↦", "dots": " ... ", "ldots": " ... ", "cdots": " ... ", "sum": "Σ",
    "prod": "Π", "int": "∫", "partial": "∂", "ell": "ℓ", "lvert": "|", "rvert": "|", "vert": "|",
    "langle": "⟨", "rangle": "⟩", "{": "{", "}": "}", "%": "%", "&": "&", "_": "_", "#": "#", "$": "$",
    "|": "‖", ";": " ", ",": " ", ":": " ", " ": " ", "!": "", "quad": "  ", "qquad": "    ",
}
FUNCTIONS = {"exp", "log", "ln", "sin", "cos", "tan", "arctan", "sinh", "cosh", "tanh", "max", "min", "sup",
             "inf", "arg", "det", "lim", "Pr"}
# Commands whose one argument is shown as plain text.
STYLES = {"mathrm", "text", "textrm", "textit", "textbf", "mathbf", "mathit", "mathsf", "mathtt", "boldsymbol",
          "bm", "operatorname", "mbox", "emph", "mathcal"}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "E", "P": "P"}
# Sizing and spacing commands that have no plain-text form.
DROPPED = {"left", "right", "bigl", "bigr", "big", "Big", "bigg", "Bigg", "Bigl", "Bigr", "biggl", "biggr",
           "displaystyle", "textstyle", "limits", "nolimits"}
FRACTIONS = {"frac", "tfrac", "dfrac", "cfrac"}

_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}^_])|([^\\{}^_]+)", re.S)


# ---------------------------------------------------------------------------------------------
# LaTeX


def latex_to_text(latex: str) -> str:
    """A LaTeX formula as readable plain text (no backslashes, braces only where literal)."""
    nodes, _ = _parse(_tokens(latex), 0)
    return _tidy(_render(nodes))


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\b(%s) (?=[(\[])" % "|".join(sorted(FUNCTIONS)), r"\1", text)  # exp (x) -> exp(x)
    text = re.sub(r"([(\[{]) ", r"\1", text)
    text = re.sub(r" ([)\]},;])", r"\1", text).replace(",;", ";")
    return text.strip()


def _tokens(latex: str) -> list[tuple[str, str]]:
    out = []
    for command, special, plain in _TOKEN.findall(latex):
        if command:
            out.append(("cmd", command))
        elif special:
            out.append((special, special))
        else:
            out.append(("text", plain))
    return out


def _parse(tokens, i):
    """Nested lists for brace groups: ('group', [...]) nodes among the tokens."""
    nodes = []
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "{":
            inner, i = _parse(tokens, i + 1)
            nodes.append(("group", inner))
        elif kind == "}":
            return nodes, i + 1
        else:
            nodes.append((kind, value))
            i += 1
    return nodes, i


def _take_argument(nodes, i):
    """The next argument of a command: a group, or one character of text. Returns (nodes, next i)."""
    while i < len(nodes) and nodes[i][0] == "text" and not nodes[i][1].strip():
        i += 1
    if i >= len(nodes):
        return [], i
    kind, value = nodes[i]
    if kind == "group":
        return value, i + 1
    if kind == "text":
        stripped = value.lstrip()
        head, rest = stripped[:1], stripped[1:]
        if rest:
            nodes[i] = ("text", rest)
            return [("text", head)], i
        return [("text", head)], i + 1
    return [nodes[i]], i + 1


def _atomic(text: str) -> bool:
    """Whether text needs no parentheses as a fraction part or an exponent: a word or number, or
    one parenthesised group."""
    if re.fullmatch(r"[\w.∞]+", text):
        return True
    call = re.match(r"(?:[^\W\d][\w.]*)?", text).end()  # "f(x)" and "(x)" alike: a name, then one group
    if not (text[call:].startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for position, char in enumerate(text[call:], start=call):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and position < len(text) - 1:
            return False  # "(a)/(b)": the first group closes early
    return True


def _wrap(text: str) -> str:
    text = _tidy(text)
    return text if _atomic(text) else f"({text})"


def _render(nodes) -> str:
    out: list[str] = []
    i = 0
    while i < len(nodes):
        kind, value = nodes[i]
        i += 1
        if kind == "text":
            out.append(value.replace("&", " ").replace("~", " "))
        elif kind == "group":
            out.append(_render(value))
        elif kind in ("^", "_"):
            argument, i = _take_argument(nodes, i)
            out.append(kind + _wrap(_render(argument).strip()))
            following = nodes[i] if i < len(nodes) else None
            if following is not None and (following[0] == "cmd" and following[1] not in DROPPED | {",", ";", "!", " "}
                                          or following[0] == "text" and following[1][:1].isalpha()):
                out.append(" ")  # Σ_(i=1)^K α_i, not Σ_(i=1)^Kα_i
        else:
            text, i = _command(value, nodes, i)
            out.append(text)
    return "".join(out)


def _command(name: str, nodes, i) -> tuple[str, int]:
    if name in FRACTIONS or name == "binom":
        top, i = _take_argument(nodes, i)
        bottom, i = _take_argument(nodes, i)
        a, b = _render(top).strip(), _render(bottom).strip()
        return (f"{_wrap(a)}/{_wrap(b)}" if name in FRACTIONS else f"binom({a}, {b})"), i
    if name == "sqrt":
        argument, i = _take_argument(nodes, i)
        return f"sqrt({_render(argument).strip()})", i
    if name in STYLES:
        argument, i = _take_argument(nodes, i)
        return _render(argument), i
    if name == "mathbb":
        argument, i = _take_argument(nodes, i)
        letter = _render(argument).strip()
        return BLACKBOARD.get(letter, letter), i
    if name in ("begin", "end"):
        _, i = _take_argument(nodes, i)  # the environment's name (cases, aligned)
        return ("" if name == "begin" else ""), i
    if name == "\\":
        return "; ", i
    if name in DROPPED:
        return "", i
    if name in GREEK:
        return GREEK[name], i
    if name in SYMBOLS:
        return f" {SYMBOLS[name]} " if name in ("in", "sim", "geq", "ge", "leq", "le", "neq", "ne", "approx",
                                                "equiv", "propto", "to", "rightarrow", "mapsto") else SYMBOLS[name], i
    if name in FUNCTIONS:
        return name + " ", i
    return name, i  # an unknown command: its name is the best plain text


# ---------------------------------------------------------------------------------------------
# reStructuredText


_ROLE = re.compile(r":(\w+):`([^`]*)`")
_FIELD = re.compile(r"^:(param|type|raises|return|returns|rtype|ivar|vartype)\b")
_DIRECTIVE = re.compile(r"^\.\. (\w+)::\s*(.*)$")
_DROPPED_DIRECTIVES = {"doctest", "code-block", "code", "testcode", "plot", "image", "figure"}
_REFERENCES = re.compile(r"^\*\*?References?:?\*\*?:?$", re.I)


def _inline(text: str) -> str:
    """Roles, literals, links and emphasis of one paragraph as plain text."""

    def role(match):
        kind, body = match.groups()
        if kind == "math":
            return latex_to_text(body)
        body = body.lstrip("~")
        if "<" in body and body.endswith(">"):  # :class:`text <target>`
            body = body[: body.index("<")].strip()
        return body.rsplit(".", 1)[-1] if match.group(2).startswith("~") else body

    text = _ROLE.sub(role, text)
    text = re.sub(r"`([^`<]+?)\s*<([^>]+)>`_+", r"\1 (\2)", text)  # `text <url>`_
    text = re.sub(r"``([^`]+)``", r"\1", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"\1", text)
    text = re.sub(r"(?<!\w)\*([^*\s][^*]*)\*(?!\w)", r"\1", text)
    return text


def _blocks(doc: str):
    """(kind, text) blocks: 'para' (joined lines), 'math' (one formula), 'literal' (lines as is)."""
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        directive = _DIRECTIVE.match(stripped)
        if not stripped:
            i += 1
            continue
        body, i_next = _indented(lines, i + 1, len(line) - len(line.lstrip()))
        if directive:
            name, rest = directive.groups()
            if name == "math":
                yield "math", " ".join([rest] + body).strip()
            elif name not in _DROPPED_DIRECTIVES:
                yield "para", " ".join([rest] + body).strip()
            i = i_next
            continue
        if _FIELD.match(stripped):
            i = i_next
            continue
        if _REFERENCES.match(stripped):
            return  # references close numpyro's docstrings; info is not the place for them
        paragraph = [stripped]
        i += 1
        while i < len(lines) and lines[i].strip() and not _DIRECTIVE.match(lines[i].strip()) \
                and not _FIELD.match(lines[i].strip()):
            paragraph.append(lines[i].strip())
            i += 1
        text = " ".join(paragraph)
        if text.endswith("::"):  # a literal block follows ("e.g.::")
            literal, i = _indented(lines, i, len(line) - len(line.lstrip()), strip=False)
            yield "para", text[:-1].rstrip(":") + ":"
            yield "literal", "\n".join(literal)
            continue
        yield "para", text


def _indented(lines, i, base: int, strip: bool = True):
    """The lines indented deeper than ``base`` from line i on (blank lines inside left out),
    stripped, or (strip=False) keeping their indentation relative to the least indented."""
    body = []
    while i < len(lines):
        line = lines[i]
        if line.strip() and len(line) - len(line.lstrip()) <= base:
            break
        if line.strip():
            body.append(line.rstrip())
        i += 1
    if strip:
        return [line.strip() for line in body], i
    common = min((len(line) - len(line.lstrip()) for line in body), default=0)
    return [line[common:] for line in body], i


def plain_text(doc: str) -> list[str]:
    """A numpyro docstring as plain-text paragraphs; formulas are paragraphs indented by two."""
    out = []
    for kind, text in _blocks(inspect.cleandoc(doc or "")):
        if kind == "math":
            out.append("  " + latex_to_text(text))
        elif kind == "literal":
            out.append("\n".join("  " + line for line in text.splitlines()))
        else:
            out.append(_inline(text))
    return [p for p in out if p.strip()]


def own_docstring(cls) -> str:
    """The class's own docstring; not one inherited from Distribution or TransformedDistribution."""
    doc = cls.__dict__.get("__doc__")
    return doc if isinstance(doc, str) else ""


def summary(cls) -> str:
    """The first paragraph of the class's own docstring, as plain text ('' when it has none)."""
    paragraphs = plain_text(own_docstring(cls))
    return paragraphs[0] if paragraphs else ""
