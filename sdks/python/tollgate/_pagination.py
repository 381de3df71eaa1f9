"""Lists as iterators over every page.

Tollgate's list shape is ``{data, has_more, next_cursor}`` with ``limit`` and ``cursor`` parameters. Lists that
predate it answer a bare array or one named array (``{"invoices": [...]}``) in a single page; both are read here.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable, Generic, Iterator, TypeVar

T = TypeVar("T")


def split_page(answer: Any, legacy_key: str | None) -> tuple[list[Any], str | None]:
    """The items of one answer and the cursor of the next page (None on the last)."""
    if isinstance(answer, list):
        return answer, None
    if isinstance(answer, dict):
        if isinstance(answer.get("data"), list):
            cursor = answer.get("next_cursor")
            return answer["data"], cursor if answer.get("has_more") and cursor else None
        if legacy_key is not None and isinstance(answer.get(legacy_key), list):
            return answer[legacy_key], None
    raise TypeError(f"not a list answer: {type(answer).__name__}")


class SyncPager(Generic[T]):
    """Iterates over every item of every page, fetching the next page only when the loop gets there."""

    def __init__(self, fetch: Callable[[str | None], Any], legacy_key: str | None = None) -> None:
        self._fetch = fetch
        self._legacy_key = legacy_key

    def __iter__(self) -> Iterator[T]:
        cursor: str | None = None
        while True:
            items, cursor = split_page(self._fetch(cursor), self._legacy_key)
            yield from items
            if cursor is None:
                return


class AsyncPager(Generic[T]):
    """``async for`` over every item of every page."""

    def __init__(self, fetch: Callable[[str | None], Awaitable[Any]], legacy_key: str | None = None) -> None:
        self._fetch = fetch
        self._legacy_key = legacy_key

    async def __aiter__(self) -> AsyncIterator[T]:
        cursor: str | None = None
        while True:
            items, cursor = split_page(await self._fetch(cursor), self._legacy_key)
            for item in items:
                yield item
            if cursor is None:
                return

    async def to_list(self) -> list[T]:
        """Every item, all pages read."""
        return [item async for item in self]
