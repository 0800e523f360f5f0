"""The query language's built-in terms: untagged, type:, ext:, width:, height:, duration:, size:,
added:, has:..., model:. Each registers itself in the term registry when this module is imported
(`to_sql` imports it, so every compiled query has them)."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

from dam_desktop.services.search.tag_query.ast import Term
from dam_desktop.services.search.tag_query.compiler import (
    TERM_HANDLERS,
    CompileContext,
    TermHandler,
    register_term,
    term_handler,
)
from dam_desktop.services.search.tag_query.errors import QueryTermError
from dam_desktop.services.search.tag_query.predicates import Component, Cond, Pred, TagSet
from dam_desktop.services.tags.tag_sql import LINK, MODEL_LINK

ASSET_TYPES = ("image", "audio", "video", "document", "font", "other")
_SQL_OPS = {"=": "=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*$", re.IGNORECASE)


# SQLite's integers are 64-bit; a larger bound cannot be bound as a parameter at all.
MAX_NUMBER = 2**63 - 1


def _number(term: Term, units: dict[str, float], what: str) -> float:
    m = _NUMBER.match(term.value)
    unit = m.group(2).lower() if m else ""
    if not m or unit not in units:
        names = ", ".join(u for u in units if u) or "no unit"
        raise QueryTermError(
            f"'{term.key}:' expects {what} (units: {names}), not '{term.value}'", term.position, term.length
        )
    value = float(m.group(1)) * units[unit]
    if not math.isfinite(value) or value > MAX_NUMBER:
        op = "" if term.op == "=" else term.op
        raise QueryTermError(
            f"'{term.key}:{op}{term.value}' is too large (at most {MAX_NUMBER})",
            term.position,
            term.length,
        )
    return value


def _compare(term: Term, column: str, value: float, ctx: CompileContext) -> str:
    # A whole number binds as an integer: SQLite then compares integer columns without converting
    # every row's value to a real.
    bound: float = int(value) if float(value).is_integer() else value
    return f"{column} {_SQL_OPS[term.op]} {ctx.param(bound)}"


def _selectivity(op: str) -> float:
    return 0.1 if op == "=" else 0.4


@term_handler("untagged")
async def _untagged(ctx: CompileContext, term: Term) -> Pred:
    return Cond(f"NOT EXISTS (SELECT 1 FROM {LINK} ul WHERE ul.entity_id = fp.entity_id)", 0.2)


@term_handler("type:")
async def _type(ctx: CompileContext, term: Term) -> Pred:
    value = term.value.lower()
    if term.op != "=" or value not in ASSET_TYPES:
        raise QueryTermError(
            "'type:' is image, audio, video, document, font or other", term.position, term.length
        )
    return Cond(f"fp.asset_type = {ctx.param(value)}", 0.5)


@term_handler("ext:")
async def _ext(ctx: CompileContext, term: Term) -> Pred:
    if term.op != "=":
        raise QueryTermError("'ext:' takes a file extension, like ext:png", term.position, term.length)
    value = term.value.lower().lstrip(".")
    if "*" in value and not term.quoted:
        glob = "*".join(re.sub(r"([?\[])", r"[\1]", p) for p in value.split("*"))
        return Cond(f"fp.file_extension GLOB {ctx.param(glob)}", 0.2)
    return Cond(f"fp.file_extension = {ctx.param(value)}", 0.1)


def _component_compare(table: str, column: str, units: dict[str, float], what: str) -> TermHandler:
    async def handler(ctx: CompileContext, term: Term) -> Pred:
        value = _number(term, units, what)
        return Component(table, _compare(term, f"x.{column}", value, ctx), _selectivity(term.op))

    return handler


_PIXELS = {"": 1.0, "px": 1.0}
register_term(
    "width:", _component_compare("component_image_properties", "width", _PIXELS, "a number of pixels")
)
register_term(
    "height:", _component_compare("component_image_properties", "height", _PIXELS, "a number of pixels")
)
_SECONDS = {"": 1.0, "s": 1.0, "sec": 1.0, "ms": 0.001, "m": 60.0, "min": 60.0, "h": 3600.0}


@term_handler("duration:")
async def _duration(ctx: CompileContext, term: Term) -> Pred:
    """A sound's or a clip's length: each kind keeps it in its own table, looked up by entity."""
    value = _number(term, _SECONDS, "seconds")
    checks = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} d WHERE d.entity_id = fp.entity_id AND "
        f"{_compare(term, 'd.duration_seconds', value, ctx)})"
        for table in ("component_audio_properties", "component_video_properties")
    )
    return Cond(f"({checks})", _selectivity(term.op))


register_term(
    "bpm:", _component_compare("component_audio_properties", "bpm", {"": 1.0, "bpm": 1.0}, "beats per minute")
)


@term_handler("artist:")
async def _artist(ctx: CompileContext, term: Term) -> Pred:
    """Sounds whose artist tag holds these words (case folded), or matches a glob."""
    if term.op != "=":
        raise QueryTermError(
            "'artist:' takes a name, like artist:\"Nina Simone\"", term.position, term.length
        )
    value = term.value.lower()
    if "*" in value and not term.quoted:
        return Component("component_audio_properties", f"lower(x.artist) GLOB {ctx.param(value)}", 0.1)
    pattern = "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return Component(
        "component_audio_properties", f"lower(x.artist) LIKE {ctx.param(pattern)} ESCAPE '\\'", 0.1
    )


_SIZE_UNITS = {
    "": 1.0,
    "b": 1.0,
    "kb": 1e3,
    "mb": 1e6,
    "gb": 1e9,
    "tb": 1e12,
    "k": 1e3,
    "m": 1e6,
    "g": 1e9,
    "kib": 1024.0,
    "mib": 1024.0**2,
    "gib": 1024.0**3,
    "tib": 1024.0**4,
}


@term_handler("size:")
async def _size(ctx: CompileContext, term: Term) -> Pred:
    value = _number(term, _SIZE_UNITS, "a size")
    # Compare against whole bytes: size:>1.5KB means more than 1500 bytes.
    if term.op in (">", "<="):
        value = math.floor(value)
    elif term.op in ("<", ">="):
        value = math.ceil(value)
    return Cond(_compare(term, "fp.file_size_bytes", int(value), ctx), _selectivity(term.op))


_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _date_range(term: Term) -> tuple[datetime, datetime]:
    """`2026` / `2026-03` / `2026-03-05` -> [start, end) of that year, month or day."""
    m = _DATE.match(term.value.strip())
    try:
        if not m:
            raise ValueError
        year = int(m.group(1))
        if m.group(3):
            start = datetime(year, int(m.group(2)), int(m.group(3)))
            return start, start + timedelta(days=1)
        if m.group(2):
            month = int(m.group(2))
            start = datetime(year, month, 1)
            end = datetime(year + 1, 1, 1) if month == 12 else datetime(year, month + 1, 1)
            return start, end
        return datetime(year, 1, 1), datetime(year + 1, 1, 1)
    except ValueError:
        raise QueryTermError(
            f"'added:' expects a date like 2026-01-31, 2026-01 or 2026, not '{term.value}'",
            term.position,
            term.length,
        ) from None


def _sql_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


@term_handler("added:")
async def _added(ctx: CompileContext, term: Term) -> Pred:
    start, end = _date_range(term)
    s, e = ctx.param(_sql_time(start)), ctx.param(_sql_time(end))
    sql = {
        "=": f"(e.created_at >= {s} AND e.created_at < {e})",
        ">": f"e.created_at >= {e}",
        ">=": f"e.created_at >= {s}",
        "<": f"e.created_at < {s}",
        "<=": f"e.created_at < {e}",
    }[term.op]
    return Cond(sql, _selectivity(term.op), needs_entity=True)


@term_handler("has:")
async def _has(ctx: CompileContext, term: Term) -> Pred:
    raise QueryTermError(
        f"unknown 'has:{term.value}'; known: "
        + ", ".join(sorted(k for k in TERM_HANDLERS if k.startswith("has:") and k != "has:")),
        term.position,
        term.length,
    )


@term_handler("has:tags")
async def _has_tags(ctx: CompileContext, term: Term) -> Pred:
    return Cond(f"EXISTS (SELECT 1 FROM {LINK} hl WHERE hl.entity_id = fp.entity_id)", 0.8)


@term_handler("has:model-tags")
async def _has_model_tags(ctx: CompileContext, term: Term) -> Pred:
    """Default: any model-proposed tag on the asset. The AI-tagging room may re-register it."""
    return Cond(f"EXISTS (SELECT 1 FROM {MODEL_LINK} ml WHERE ml.entity_id = fp.entity_id)", 0.5)


@term_handler("model:")
async def _model(ctx: CompileContext, term: Term) -> Pred:
    """Default: a model proposed this tag (or one below it). The AI-tagging room may re-register it."""
    resolved = await ctx.tags(term.value, wildcard=term.wildcard and not term.quoted)
    return TagSet(resolved.ids, None, MODEL_LINK)
