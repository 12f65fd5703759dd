"""Comma lists of candidates: ``summarize --input FILE --fit LIST`` and ``solve --family LIST``.

One splitter (:func:`split_fit_list`: commas inside parentheses or brackets do not split, so
``Mixture(Normal, Gamma)`` and ``Gamma(rate=2)`` stay one item) and one set of rules for the items
(:func:`list_items`): an empty item, ``auto`` inside a list and an item that repeats an earlier one
are each refused with one UsageError naming the item by its place and text. Standard library only.
"""

from __future__ import annotations

from typing import Callable, Hashable, TypeVar

from priorcli.errors import UsageError

__all__ = ["split_fit_list", "list_items"]

T = TypeVar("T")


def split_fit_list(text: str, option: str = "--fit") -> list[str]:
    """``text`` split at the commas outside parentheses and brackets: 'Normal, Mixture(Normal, Gamma)'
    -> ['Normal', 'Mixture(Normal, Gamma)']; an unbalanced one is a UsageError naming ``option``."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth < 0:
                raise UsageError(f"{option} '{text}': a ')' without its '('")
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if depth:
        raise UsageError(f"{option} '{text}': a '(' without its ')'")
    parts.append("".join(current).strip())
    return parts


def list_items(text: str, option: str, parse: Callable[[str], T], key: Callable[[T], Hashable], *,
               what: str, auto: str, noun: str) -> list[T]:
    """The items of the list ``text`` given to ``option``, each made by ``parse(item_text)``; two
    items with equal ``key`` name the same candidate. ``what`` says what an item may be (for an
    empty one), ``auto`` what ``OPTION auto`` does, ``noun`` what an item is ("fit", "family")."""
    items: list[T] = []
    texts: list[str] = []
    for i, item_text in enumerate(split_fit_list(text, option), start=1):
        where = f"{option} '{text}': item {i}"
        if not item_text:
            raise UsageError(f"{where} is empty; name {what} between each pair of commas")
        if item_text.lower() == "auto":
            raise UsageError(f"{where}: 'auto' stands alone ({option} auto {auto})")
        try:
            item = parse(item_text)
        except UsageError as exc:
            message = str(exc).removeprefix(f"{option} '{item_text}': ").removeprefix(f"{option} {item_text}: ")
            raise UsageError(f"{where} '{item_text}': {message}") from None
        same = next((j for j, other in enumerate(items, start=1) if key(other) == key(item)), None)
        if same is not None:
            raise UsageError(f"{where} '{item_text}' repeats item {same} '{texts[same - 1]}'; name each {noun} once")
        items.append(item)
        texts.append(item_text)
    return items
