from dam_desktop.models.tags.entity_tag_link_component import EntityTagLinkComponent
from dam_desktop.models.tags.model_generated_tag_link_component import (
    ModelGeneratedTagLinkComponent,
    RejectedModelTagComponent,
)
from dam_desktop.models.tags.saved_search_component import SavedSearchComponent
from dam_desktop.models.tags.tag_concept_component import TagConceptComponent
from dam_desktop.models.tags.tag_relation_components import TagAliasComponent, TagParentComponent

__all__ = [
    "EntityTagLinkComponent",
    "ModelGeneratedTagLinkComponent",
    "RejectedModelTagComponent",
    "SavedSearchComponent",
    "TagAliasComponent",
    "TagConceptComponent",
    "TagParentComponent",
]
