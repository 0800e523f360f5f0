"""AutoTaggingSystem: lets the tagging model propose tags for images marked NeedsAutoTagging."""

from __future__ import annotations

import logging

from dam_desktop.core.injection import Resource, WorldContext
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.systems import system
from dam_desktop.services.tagging.tagging_service import AutoTaggingSettings, drain_tagging_markers

log = logging.getLogger(__name__)


@system(stage=SystemStage.AUTO_TAGGING)
async def auto_tagging_system(
    context: WorldContext,
    paths: Resource[LibraryPaths],
    manager: Resource[ModelExecutionManager],
    settings: Resource[AutoTaggingSettings],
) -> None:
    """Drain `NeedsAutoTaggingMarker` in batches of `settings.batch_entities`, a transaction each.

    It drains the marker itself rather than through `MarkedEntityList` because a missing model must
    leave every marker as it is (no attempt counted, no failure recorded): once the user imports the
    weights, the next run tags everything that waited.
    """
    report = await drain_tagging_markers(context.session, paths, manager, settings)
    if report.weights_missing:
        log.info("auto-tagging skipped: %s", report.weights_missing)
    elif report.tagged or report.failed:
        log.info("auto-tagging: %d tagged, %d failed", report.tagged, len(report.failed))
