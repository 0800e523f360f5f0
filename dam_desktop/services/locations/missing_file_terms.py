"""Query terms over the last check for missing files: `has:missing-file` and `has:changed-file`.

They read the marks `location_check` leaves (`MissingFileComponent`), never the disk, so they
cost what any component term costs. Importing this module registers them; `world_setup` does.
"""

from __future__ import annotations

from dam_desktop.core.schema_names import MISSING_FILE_TABLE, PROBLEM_CHANGED, PROBLEM_MISSING
from dam_desktop.services.search.tag_query.ast import Term
from dam_desktop.services.search.tag_query.to_sql import (
    CompileContext,
    Component,
    Pred,
    TermHandler,
    register_term,
)

MISSING_FILE_TERM = "has:missing-file"
CHANGED_FILE_TERM = "has:changed-file"
# Few assets are marked in a healthy library: a small estimate lets the planner walk the marks.
MARKED_SELECTIVITY = 0.01


def _marked(problem: str) -> TermHandler:
    async def handler(ctx: CompileContext, term: Term) -> Pred:
        return Component(MISSING_FILE_TABLE, f"x.problem = {ctx.param(problem)}", MARKED_SELECTIVITY)

    return handler


register_term(MISSING_FILE_TERM, _marked(PROBLEM_MISSING))
register_term(CHANGED_FILE_TERM, _marked(PROBLEM_CHANGED))
