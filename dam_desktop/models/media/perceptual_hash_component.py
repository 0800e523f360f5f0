from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class ImagePerceptualHashComponent(BaseComponent):
    """64-bit perceptual hashes (stored as signed integers) for near-duplicate search by Hamming distance."""

    __tablename__ = "component_image_perceptual_hash"
    single_per_entity = True

    phash: Mapped[int] = mapped_column(BigInteger, index=True)
    dhash: Mapped[int] = mapped_column(BigInteger)
