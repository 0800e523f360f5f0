"""The bounded caches behind the grid's painting keep the most recently used entries only."""

from __future__ import annotations

from dam_desktop.utils.lru import LruCache


def test_the_oldest_unused_entry_goes_first_and_a_hit_keeps_its_entry() -> None:
    cache: LruCache[int, str] = LruCache(3)
    for n in range(3):
        cache.put(n, f"v{n}")
    assert cache.get(0) == "v0"  # now the newest

    cache.put(3, "v3")

    assert list(cache) == [2, 0, 3] and len(cache) == 3
    assert cache.get(1) is None and cache.get(2) == "v2"
