from dam_desktop.core.library import STORAGE_MANAGED, STORAGE_REFERENCE
from dam_desktop.models.files.content_hash_component import ContentHashSHA256Component
from dam_desktop.models.files.file_location_component import FileLocationComponent
from dam_desktop.models.files.file_properties_component import FilePropertiesComponent
from dam_desktop.models.files.missing_file_component import (
    PROBLEM_CHANGED,
    PROBLEM_MISSING,
    MissingFileComponent,
)
from dam_desktop.models.files.trashed_component import TrashedComponent

__all__ = [
    "PROBLEM_CHANGED",
    "PROBLEM_MISSING",
    "STORAGE_MANAGED",
    "STORAGE_REFERENCE",
    "ContentHashSHA256Component",
    "FileLocationComponent",
    "FilePropertiesComponent",
    "MissingFileComponent",
    "TrashedComponent",
]
