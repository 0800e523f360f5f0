from dam_desktop.models.media.audio_properties_component import AudioPropertiesComponent
from dam_desktop.models.media.image_properties_component import ImagePropertiesComponent
from dam_desktop.models.media.perceptual_hash_component import ImagePerceptualHashComponent

__all__ = ["AudioPropertiesComponent", "ImagePerceptualHashComponent", "ImagePropertiesComponent"]
