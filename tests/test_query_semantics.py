"""The compiler's semantics, checked against a tiny evaluator in Python on random libraries.

Each hypothesis example builds a small random library (assets with types, sizes, dates, pixel
sizes, durations, trash, tags; tag parents and aliases; a tagged entity that is not an asset) into
a real library database, then runs random queries through `search_service` (every result, pages
in several orders, the count) and compares with what the evaluator says the user should see.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from dam_desktop.services.search import search_service
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.search.tag_query import planner
from dam_desktop.services.search.tag_query.planner import Stats
from dam_desktop.services.search.tag_query.to_sql import AllOf, AnyOf, NotP, Pred, TagSet
from dam_desktop.services.tags import tag_service
from tests.test_tag_support import AssetSpec, make_assets

TAGS = ["cat", "dog", "animal", "ns:alice", "big cat", "sci-fi"]
ALIASES = ["kitty", "pup"]
DATES = [
    datetime(2025, 12, 31, 23, 59, 59),
    datetime(2026, 1, 1, 0, 0, 0),
    datetime(2026, 1, 1, 18, 0),
    datetime(2026, 2, 3, 9, 0),
]


@dataclass
class Lib:
    assets: list[AssetSpec]
    parents: list[tuple[str, str]]  # (child, parent)
    aliases: dict[str, str]  # alias -> tag
    stray_tags: tuple[str, ...] = ()  # on an entity that is not an asset
    ids: list[int] = field(default_factory=list)


asset_specs = st.builds(
    AssetSpec,
    name=st.sampled_from(["a.png", "B.png", "c.wav", "d.jpg", "a.png"]),
    asset_type=st.sampled_from(["image", "image", "audio", "other"]),
    ext=st.sampled_from(["png", "jpg", "wav"]),
    size=st.sampled_from([0, 999, 1000, 1001, 2_500_000, 10_000_000, 10_000_001]),
    added=st.sampled_from(DATES),
    trashed=st.booleans().map(lambda b: b and False) | st.just(True) | st.just(False),
    tags=st.lists(st.sampled_from(TAGS), max_size=3, unique=True).map(tuple),
    width=st.none(),
    duration=st.none(),
)


@st.composite
def libraries(draw: st.DrawFn) -> Lib:
    specs = draw(st.lists(asset_specs, min_size=0, max_size=10))
    for spec in specs:
        if spec.asset_type == "image":
            spec.width = draw(st.sampled_from([100, 600, 1000, 1001, 4000]))
            spec.height = draw(st.sampled_from([100, 600, 601]))
            spec.taken = draw(st.none() | st.sampled_from(DATES))
        elif spec.asset_type == "audio":
            spec.duration = draw(st.sampled_from([0.5, 2.5, 2.51, 60.0]))
    # Parents only from later to earlier names: never a cycle.
    edges = draw(
        st.lists(
            st.tuples(st.integers(0, len(TAGS) - 1), st.integers(0, len(TAGS) - 1)).filter(
                lambda e: e[0] > e[1]
            ),
            max_size=3,
            unique=True,
        )
    )
    aliases = draw(st.dictionaries(st.sampled_from(ALIASES), st.sampled_from(TAGS), max_size=2))
    stray = tuple(draw(st.lists(st.sampled_from(TAGS), max_size=2, unique=True)))
    for spec in specs:
        spec.rating = draw(st.sampled_from([0, 0, 1, 3, 5]))
    return Lib(specs, [(TAGS[c], TAGS[p]) for c, p in edges], aliases, stray)


# --- queries as (text, evaluator) -----------------------------------------------------------------


@dataclass(frozen=True)
class Q:
    text: str
    node: tuple[Any, ...]


def _quote(name: str) -> str:
    return f'"{name}"' if " " in name else name


OPS = [">", ">=", "<", "<=", "="]
leaf = st.one_of(
    st.sampled_from([*TAGS, *ALIASES, "unknown"]).map(lambda n: Q(_quote(n), ("tag", n))),
    st.sampled_from(["c*", "*a*", "ns:*", "k*"]).map(lambda p: Q(p, ("glob", p))),
    st.sampled_from(["image", "audio", "other"]).map(lambda v: Q(f"type:{v}", ("type", v))),
    st.sampled_from(["png", "wav", ".jpg"]).map(lambda v: Q(f"ext:{v}", ("ext", v.lstrip(".")))),
    st.tuples(st.sampled_from(OPS), st.sampled_from([600, 1000])).map(
        lambda a: Q(f"width:{a[0]}{a[1]}", ("num", "width", a[0], a[1]))
    ),
    st.tuples(st.sampled_from(OPS), st.sampled_from([600])).map(
        lambda a: Q(f"height:{a[0]}{a[1]}", ("num", "height", a[0], a[1]))
    ),
    st.tuples(st.sampled_from(OPS), st.sampled_from(["2.5", "1"])).map(
        lambda a: Q(f"duration:{a[0]}{a[1]}", ("num", "duration", a[0], float(a[1])))
    ),
    st.tuples(
        st.sampled_from(OPS),
        st.sampled_from([("1000", 1000), ("1KB", 1000), ("10MB", 10_000_000), ("2.5mb", 2_500_000)]),
    ).map(lambda a: Q(f"size:{a[0]}{a[1][0]}", ("num", "size", a[0], a[1][1]))),
    st.tuples(st.sampled_from(OPS), st.sampled_from(["2026-01-01", "2026", "2026-01", "2025-12-31"])).map(
        lambda a: Q(f"added:{a[0]}{a[1]}", ("added", a[0], a[1]))
    ),
    st.just(Q("untagged", ("untagged",))),
    st.just(Q("type:image|audio", ("or", ("type", "image"), ("type", "audio")))),
)

queries = st.recursive(
    leaf,
    lambda inner: st.one_of(
        inner.map(lambda q: Q(f"-({q.text})", ("not", q.node))),
        st.lists(inner, min_size=2, max_size=3).map(
            lambda qs: Q(" ".join(f"({q.text})" for q in qs), ("and", *[q.node for q in qs]))
        ),
        st.lists(inner, min_size=2, max_size=3).map(
            lambda qs: Q(" | ".join(f"({q.text})" for q in qs), ("or", *[q.node for q in qs]))
        ),
    ),
    max_leaves=5,
)


tag_leaf = st.sampled_from([*TAGS, *ALIASES]).map(lambda n: Q(_quote(n), ("tag", n)))
# Flat ANDs of tags, negated tags and other terms: the shape whose tag sets the planner merges as
# sorted ranges or probes per row (nested queries rarely have two tag sets side by side).
conjunctions = st.lists(
    st.one_of(
        tag_leaf,
        tag_leaf.map(lambda q: Q(f"-{q.text}", ("not", q.node))),
        leaf.map(lambda q: Q(f"({q.text})", q.node)),
    ),
    min_size=2,
    max_size=4,
).map(lambda qs: Q(" ".join(q.text for q in qs), ("and", *[q.node for q in qs])))


def _cmp(value: float, op: str, ref: float) -> bool:
    return {">": value > ref, ">=": value >= ref, "<": value < ref, "<=": value <= ref, "=": value == ref}[op]


def _date_range(text_value: str) -> tuple[datetime, datetime]:
    parts = [int(p) for p in text_value.split("-")]
    if len(parts) == 3:
        start = datetime(*parts)  # type: ignore[arg-type]
        return start, start + timedelta(days=1)
    if len(parts) == 2:
        start = datetime(parts[0], parts[1], 1)
        return start, datetime(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
    return datetime(parts[0], 1, 1), datetime(parts[0] + 1, 1, 1)


class Evaluator:
    def __init__(self, lib: Lib) -> None:
        self.lib = lib
        self.names = {t for a in lib.assets for t in a.tags} | set(lib.stray_tags)
        self.names |= {n for e in lib.parents for n in e} | set(lib.aliases.values())
        children: dict[str, set[str]] = {}
        for child, parent in lib.parents:
            children.setdefault(parent, set()).add(child)
        self.children = children

    def closure(self, seeds: set[str]) -> set[str]:
        out = set(seeds)
        todo = list(seeds)
        while todo:
            for child in self.children.get(todo.pop(), ()):
                if child not in out:
                    out.add(child)
                    todo.append(child)
        return out

    def resolve(self, name: str) -> set[str]:
        if name in self.names:
            return self.closure({name})
        if name in self.lib.aliases:
            return self.closure({self.lib.aliases[name]})
        return set()

    def glob(self, pattern: str) -> set[str]:
        seeds = {n for n in self.names if fnmatch.fnmatchcase(n, pattern)}
        seeds |= {t for a, t in self.lib.aliases.items() if fnmatch.fnmatchcase(a, pattern)}
        return self.closure(seeds)

    @staticmethod
    def has_words(runs: list[str], a: AssetSpec, *, prefix: bool) -> bool:
        """The runs, in order, among the words of the asset's name or of one of its tags (the last
        run a prefix when `prefix`): what a bare word that names no tag means."""
        for field_text in (a.name, *a.tags):
            words = re.findall(r"[^\W_]+", field_text.lower())
            for start in range(len(words) - len(runs) + 1):
                *whole, last = words[start : start + len(runs)]
                if whole == runs[:-1] and (last.startswith(runs[-1]) if prefix else last == runs[-1]):
                    return True
        return False

    def matches(self, node: tuple[Any, ...], a: AssetSpec) -> bool:
        kind = node[0]
        if kind == "tag":
            name = str(node[1])
            tags = self.resolve(name)
            if not tags and ":" not in name:
                runs: list[str] = re.findall(r"[^\W_]+", name.lower())
                return bool(runs) and self.has_words(runs, a, prefix=" " not in name)
            return bool(tags & set(a.tags))
        if kind == "glob":
            pattern = str(node[1])
            tags = self.glob(pattern)
            if not tags and ":" not in pattern:
                # Only a run that a wildcard follows and none precedes narrows a word search.
                found = re.finditer(r"(?<![*?])[^\W_]+(?=[*?])", pattern.lower())
                runs = [m.group() for m in found]
                return bool(runs) and all(self.has_words([r], a, prefix=True) for r in runs)
            return bool(tags & set(a.tags))
        if kind == "type":
            return a.asset_type == node[1]
        if kind == "ext":
            return a.ext == node[1]
        if kind == "num":
            _, what, op, ref = node
            value = {"width": a.width, "height": a.height, "duration": a.duration, "size": a.size}[what]
            if what in ("width", "height"):
                value = value if a.asset_type == "image" else None
            return value is not None and _cmp(value, op, ref)
        if kind == "added":
            start, end = _date_range(node[2])
            op = node[1]
            return {
                "=": start <= a.added < end,
                ">": a.added >= end,
                ">=": a.added >= start,
                "<": a.added < start,
                "<=": a.added < end,
            }[op]
        if kind == "untagged":
            return not a.tags
        if kind == "not":
            return not self.matches(node[1], a)
        if kind == "and":
            return all(self.matches(c, a) for c in node[1:])
        if kind == "or":
            return any(self.matches(c, a) for c in node[1:])
        raise AssertionError(kind)

    def results(self, node: tuple[Any, ...]) -> list[int]:
        return [
            i
            for i, a in zip(self.lib.ids, self.lib.assets, strict=True)
            if not a.trashed and self.matches(node, a)
        ]


def ordered(ev: Evaluator, ids: list[int], key: SortKey, descending: bool) -> list[int]:
    """The user's order: "date added" is the order assets were added in, that is entity id order
    (an asset's `added` date is only what the `added:` term filters on). Assets lacking the date
    taken, the dimensions, the duration or a rating come after the others in both directions."""
    by_id = dict(zip(ev.lib.ids, ev.lib.assets, strict=True))

    def media_value(i: int) -> Any:
        a = by_id[i]
        return {
            SortKey.TAKEN: a.taken if a.width is not None else None,
            SortKey.DIMENSIONS: a.width * (a.height or a.width) if a.width is not None else None,
            SortKey.DURATION: a.duration,
            SortKey.RATING: a.rating or None,
        }[key]

    def sort_key(i: int) -> tuple[Any, ...]:
        a = by_id[i]
        if key in MEDIA_SORTS:
            return (media_value(i), i)
        return {
            SortKey.ADDED: (i,),
            SortKey.NAME: (a.name.lower(), i),
            SortKey.SIZE: (a.size, i),
            SortKey.TYPE: (a.asset_type, a.ext, a.name.lower(), i),
        }[key]

    if key in MEDIA_SORTS:
        having = [i for i in ids if media_value(i) is not None]
        lacking = [i for i in ids if media_value(i) is None]
        return sorted(having, key=sort_key, reverse=descending) + sorted(lacking, reverse=descending)
    return sorted(ids, key=sort_key, reverse=descending)


MEDIA_SORTS = (SortKey.TAKEN, SortKey.DIMENSIONS, SortKey.DURATION, SortKey.RATING)


async def load(world: Any, lib: Lib) -> None:
    async with world.session() as s:
        # Links first: deleting a tagged asset in one go trips another room's trigger (see report).
        await s.execute(text("DELETE FROM component_entity_tag_link"))
        await s.execute(text("DELETE FROM entities"))
        lib.ids = await make_assets(s, lib.assets)
        if lib.stray_tags:
            stray = (await s.execute(text("INSERT INTO entities DEFAULT VALUES RETURNING id"))).scalar_one()
            await tag_service.add_tags(s, [stray], list(lib.stray_tags))
        for child, parent in lib.parents:
            c = await tag_service.get_or_create_tag_concept(s, child)
            p = await tag_service.get_or_create_tag_concept(s, parent)
            await tag_service.add_parent(s, c, p)
        for alias, target in lib.aliases.items():
            await tag_service.add_alias(s, await tag_service.get_or_create_tag_concept(s, target), alias)
        await s.commit()


def inflated(pred: Pred, factor: int) -> Pred:
    """`pred` with every tag estimate multiplied: believing the tags big, the planner merges every
    range it can (and the trash too) instead of probing."""
    if isinstance(pred, TagSet):
        return replace(pred, estimate=None if pred.estimate is None else pred.estimate * factor)
    if isinstance(pred, NotP):
        return NotP(inflated(pred.child, factor))
    if isinstance(pred, AllOf | AnyOf):
        return type(pred)(tuple(inflated(i, factor) for i in pred.items))
    return pred


def beliefs(pred: Pred, real: Stats) -> list[tuple[Pred, Stats]]:
    """The planner's inputs as they are, and made up to steer it to other walks (the trash merged
    as a sorted range, every tag set merged, estimates tiny against a huge library): every walk
    must return the same rows whatever the planner believed."""
    return [
        (pred, real),
        (pred, Stats(real.total, 1)),
        (inflated(pred, 1000), Stats(real.total * 1000, 1)),
        (pred, Stats(10**6, real.trashed)),
    ]


async def assert_every_walk_agrees(
    s: Any, query: str, full: list[int], sort: SortKey, descending: bool, page: tuple[int, int]
) -> None:
    compiled = await search_service.compile_search(s, query)
    offset, limit = page
    for pred, stats in beliefs(compiled.pred, await search_service.library_stats(s)):
        for off, lim, wanted in ((offset, limit, full[offset : offset + limit]), (0, None, full)):
            params = search_service.page_params(compiled, off, lim)
            for plan in planner.select_plans(pred, stats, sort, descending, lim, off):
                got = [
                    int(r[0])
                    for r in (await s.execute(*search_service.executable(s, plan.sql, params))).all()
                ]
                assert got == wanted, (query, plan.kind, plan.sql, sort, descending, off, lim)


async def assert_every_count_agrees(s: Any, query: str, expected: int) -> None:
    compiled = await search_service.compile_search(s, query)
    for pred, stats in beliefs(compiled.pred, await search_service.library_stats(s)):
        for plan in planner.count_plans(pred, stats):
            counted = await s.scalar(*search_service.executable(s, plan.sql, compiled.params))
            assert counted == expected, (query, plan.kind, plan.sql)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(  # every merge the planner can write: tag sets intersected and subtracted, the trash too
    lib=Lib(
        [
            AssetSpec(tags=("cat", "dog"), width=1001, height=600),
            AssetSpec(tags=("cat",), width=600, height=600),
            AssetSpec(tags=("cat", "dog", "big cat"), trashed=True),
            AssetSpec(name="c.wav", asset_type="audio", ext="wav", tags=("dog", "sci-fi"), duration=2.5),
            AssetSpec(tags=("cat", "big cat", "sci-fi"), width=4000, height=601),
            AssetSpec(tags=("dog", "big cat")),
        ],
        parents=[("big cat", "cat")],
        aliases={"kitty": "dog"},
        stray_tags=("cat", "dog"),
    ),
    qs=[
        Q("cat dog", ("and", ("tag", "cat"), ("tag", "dog"))),
        Q("kitty -cat", ("and", ("tag", "kitty"), ("not", ("tag", "cat")))),
        Q(
            'cat -"big cat" (width:>600)',
            ("and", ("tag", "cat"), ("not", ("tag", "big cat")), ("num", "width", ">", 600)),
        ),
        Q("sci-fi dog -cat", ("and", ("tag", "sci-fi"), ("tag", "dog"), ("not", ("tag", "cat")))),
    ],
    sort=SortKey.ADDED,
    descending=True,
    page=(1, 2),
)
@given(
    lib=libraries(),
    qs=st.lists(queries | conjunctions, min_size=1, max_size=5),
    sort=st.sampled_from(list(SortKey)),
    descending=st.booleans(),
    page=st.tuples(st.integers(0, 4), st.integers(1, 3)),
)
async def test_search_agrees_with_the_evaluator(
    world: Any, lib: Lib, qs: list[Q], sort: SortKey, descending: bool, page: tuple[int, int]
) -> None:
    await load(world, lib)
    ev = Evaluator(lib)
    async with world.session() as s:
        for q in qs:
            expected = ev.results(q.node)
            got = await search_service.search(s, q.text, limit=None)
            assert sorted(got) == sorted(expected), q.text
            assert len(got) == len(set(got)), q.text
            assert await search_service.count(s, q.text) == len(expected), q.text
            # Pages in the chosen order are slices of the full order (the walk may differ).
            full = ordered(ev, expected, sort, descending)
            offset, limit = page
            assert (
                await search_service.search(s, q.text, offset, limit, sort, descending)
                == full[offset : offset + limit]
            ), q.text
            assert await search_service.search(s, q.text, 0, None, sort, descending) == full, q.text
            # Every walk the planner weighs, not only the one it picked here, gives the same rows.
            await assert_every_walk_agrees(s, q.text, full, sort, descending, page)
            await assert_every_count_agrees(s, q.text, len(expected))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lib=libraries(), q=queries)
async def test_sidebar_counts_agree_with_the_evaluator(world: Any, lib: Lib, q: Q) -> None:
    await load(world, lib)
    ev = Evaluator(lib)
    expected_ids = set(ev.results(q.node))
    expected: dict[str, int] = {}
    for i, a in zip(lib.ids, lib.assets, strict=True):
        if i in expected_ids:
            for name in a.tags:
                expected[name] = expected.get(name, 0) + 1
    async with world.session() as s:
        counts = await search_service.tag_counts_for_query(s, q.text, limit=100, sample=None)
        sampled = await search_service.tag_counts_for_query(s, q.text, limit=100, sample=3)
        matches_all = (await search_service.compile_search(s, q.text)).matches_all
    if matches_all:
        # A query matching everything reads the tags' use counts (kept by triggers): those count
        # every non-trashed entity carrying the tag, so the stray non-asset one too.
        for name in lib.stray_tags:
            expected[name] = expected.get(name, 0) + 1
        assert {c.name: c.count for c in counts} == expected
        assert {c.name: c.count for c in sampled} == expected
        return
    assert {c.name: c.count for c in counts} == expected
    assert [c.count for c in counts] == sorted((c.count for c in counts), reverse=True)
    # Counting only the 3 newest results: exact when there are no more than that.
    newest = ordered(ev, list(expected_ids), SortKey.ADDED, True)[:3]
    by_id = dict(zip(lib.ids, lib.assets, strict=True))
    in_sample: dict[str, int] = {}
    for i in newest:
        for name in by_id[i].tags:
            in_sample[name] = in_sample.get(name, 0) + 1
    assert {c.name: c.count for c in sampled} == in_sample
    assert all(c.exact == (len(expected_ids) <= 3) for c in sampled)
