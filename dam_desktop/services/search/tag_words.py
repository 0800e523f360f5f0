"""The words of the tag links an edit listed on PostgreSQL, written by the words stage.

A tag edit on a shared library lists its links (migration 0037) instead of writing their words:
the words of a 10k-asset edit were 40% of its time. `write_listed_tag_words` writes them a batch
at a time, each batch claimed so that workstations draining at once share the list. SQLite's text
index keeps its tag rows as the edit writes them, and lists nothing.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.sql_dialect import POSTGRESQL, dialect_name
from dam_desktop.core.text_words import DRAIN

# Links a statement takes: 50k links of a four-word tag are 300k word rows, about a second.
BATCH = 50_000


async def write_listed_tag_words(session: AsyncSession, batch: int = BATCH) -> int:
    """Write the words of every listed link no other workstation is writing and no removal
    holds; how many links it took off the list. Flushes but does not commit: the caller owns the
    transaction."""
    if dialect_name(session) != POSTGRESQL:
        return 0
    total = 0
    while taken := int(await session.scalar(text(DRAIN), {"batch": batch}) or 0):
        total += taken
    return total
