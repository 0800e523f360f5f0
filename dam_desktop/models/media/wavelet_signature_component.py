from __future__ import annotations

from sqlalchemy import LargeBinary, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class ImageWaveletSignatureComponent(BaseComponent):
    """An image's weights-free descriptor for "find similar" without CLIP: a Haar wavelet signature
    with a colour layout (`services.similarity.wavelet_signature`), made from its thumbnail."""

    __tablename__ = "component_image_wavelet_signature"
    single_per_entity = True

    version: Mapped[int] = mapped_column(SmallInteger)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
