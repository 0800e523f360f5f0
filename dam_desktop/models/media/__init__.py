from dam_desktop.models.media.audio_properties_component import AudioPropertiesComponent
from dam_desktop.models.media.document_properties_component import DocumentPropertiesComponent
from dam_desktop.models.media.image_properties_component import ImagePropertiesComponent
from dam_desktop.models.media.perceptual_hash_component import ImagePerceptualHashComponent
from dam_desktop.models.media.video_properties_component import VideoPropertiesComponent
from dam_desktop.models.media.wavelet_signature_component import ImageWaveletSignatureComponent

__all__ = [
    "AudioPropertiesComponent",
    "DocumentPropertiesComponent",
    "ImagePerceptualHashComponent",
    "ImagePropertiesComponent",
    "ImageWaveletSignatureComponent",
    "VideoPropertiesComponent",
]
