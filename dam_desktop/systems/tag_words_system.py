"""The words stage (shared libraries): writes the words of the tag links edits listed, so that a
bare word finds the assets just tagged (`services.search.tag_words`). It has no marker: the list
is its own, one row per link. The window runs it right after each tag edit's change event (the
pipeline wakes on it, and this stage comes first); the CLI runs it before a command that wrote
ends. What it wrote is announced as a change of "words", which makes a window showing a search
run it again."""

from __future__ import annotations

from dam_desktop.core.injection import SystemResult, WorldSession
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.systems import system
from dam_desktop.services.search.tag_words import write_listed_tag_words


@system(stage=SystemStage.SEARCH_WORDS)
async def tag_words_system(session: WorldSession) -> SystemResult | None:
    written = await write_listed_tag_words(session)
    return SystemResult(changed=frozenset()) if written else None
