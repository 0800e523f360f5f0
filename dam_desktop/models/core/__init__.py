from dam_desktop.models.core.base_class import Base
from dam_desktop.models.core.base_component import BaseComponent
from dam_desktop.models.core.entity import Entity
from dam_desktop.models.core.library_setting import LibrarySetting
from dam_desktop.models.core.markers import BaseMarker

__all__ = ["Base", "BaseComponent", "BaseMarker", "Entity", "LibrarySetting"]
