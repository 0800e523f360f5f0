from dam_desktop.models.files.content_hash_component import ContentHashSHA256Component
from dam_desktop.models.files.file_location_component import (
    STORAGE_MANAGED,
    STORAGE_REFERENCE,
    FileLocationComponent,
)
from dam_desktop.models.files.file_properties_component import FilePropertiesComponent
from dam_desktop.models.files.trashed_component import TrashedComponent

__all__ = [
    "STORAGE_MANAGED",
    "STORAGE_REFERENCE",
    "ContentHashSHA256Component",
    "FileLocationComponent",
    "FilePropertiesComponent",
    "TrashedComponent",
]
