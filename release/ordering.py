"""One topological order, for the steps of the graph and the packages of a repository."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from release.errors import ReleaseError

T = TypeVar("T")


def topological(
    items: Sequence[T],
    key: Callable[[T], str],
    needs: Callable[[T], Iterable[str]],
    cycle: Callable[[list[str]], ReleaseError],
) -> list[T]:
    """Each item after what it needs (the declared order breaks ties); a cycle is raised as
    `cycle(path)`, the path ending where it starts."""
    by_key = {key(item): item for item in items}
    placed: list[T] = []
    done: set[str] = set()
    visiting: list[str] = []

    def visit(item: T) -> None:
        name = key(item)
        if name in done:
            return
        if name in visiting:
            raise cycle([*visiting[visiting.index(name) :], name])
        visiting.append(name)
        for need in needs(item):
            visit(by_key[need])
        visiting.pop()
        done.add(name)
        placed.append(item)

    for item in items:
        visit(item)
    return placed
