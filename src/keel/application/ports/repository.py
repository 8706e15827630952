"""The base of every repository port: it remembers the aggregates written through it.

A repository adds and gets aggregates; it never commits. Entities are mapped to rows explicitly, so a change reaches
the database only through a write method (``add``, ``add_many``, ``save``...). Those methods are defined here and in
each port as template methods that record the aggregate and delegate to an abstract ``_add``/``_save``...; the unit of
work publishes, after commit, the events of exactly the aggregates that were written — a change never stored is never
announced.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from keel.domain.events import Aggregate


class Repository[A: Aggregate]:
    def __init__(self) -> None:
        self._written: list[A] = []
        self._written_ids: set[int] = set()

    @property
    def written(self) -> Sequence[A]:
        """The aggregates written in this unit of work, in the order first written."""
        return tuple(self._written)

    def forget_written(self) -> None:
        """Drop the record of writes (their transaction rolled back: their events must never be published)."""
        self._written.clear()
        self._written_ids.clear()

    def _remember(self, aggregates: Iterable[A]) -> None:
        for aggregate in aggregates:
            if id(aggregate) not in self._written_ids:
                self._written_ids.add(id(aggregate))
                self._written.append(aggregate)
