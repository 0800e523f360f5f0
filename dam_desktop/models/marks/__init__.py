from dam_desktop.models.marks.asset_marks_component import FLAGS, LABELS, MAX_RATING, AssetMarksComponent

__all__ = ["FLAGS", "LABELS", "MAX_RATING", "AssetMarksComponent"]
