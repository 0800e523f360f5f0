"""Find Similar: the images or sounds nearest to the one selected, ranked with their scores."""

from __future__ import annotations

from dam_desktop.ui.window.context_menu import ActionContext, AssetAction, Selection, in_library


def _one_image_or_sound(selection: Selection) -> bool:
    single = selection.single
    return in_library(selection) and single is not None and single.asset_type in ("image", "audio")


async def _find_similar(context: ActionContext, selection: Selection) -> None:
    from dam_desktop.ui.semantic.semantic_search import install_semantic_search

    single = selection.single
    if single is None:
        return
    controller = install_semantic_search(context.window)  # type: ignore[arg-type]
    await controller.find_similar(single.entity_id, single.filename)


ACTIONS = [
    AssetAction(
        "find-similar",
        "Find Similar",
        _find_similar,
        applies_to=_one_image_or_sound,
        group=30,
        order=10,
    ),
]
