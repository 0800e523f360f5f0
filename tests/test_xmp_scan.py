"""Embedded XMP is found in a JPEG's header segments, however big the photo behind them."""

from __future__ import annotations

import io

from PIL import Image

from dam_desktop.services.media.xmp import embedded_xmp

PACKET = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag>'
    b"<rdf:li>harbour</rdf:li><rdf:li>dusk</rdf:li></rdf:Bag></dc:subject></rdf:Description>"
    b"</rdf:RDF></x:xmpmeta>"
)


def test_a_jpegs_packet_after_its_exif_segment_is_read() -> None:
    exif = Image.Exif()
    exif[0x010F] = "Maker " * 2000  # a big EXIF segment before the XMP one
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), "teal").save(buffer, "JPEG", exif=exif.tobytes(), xmp=PACKET)
    assert embedded_xmp(buffer.getvalue()).keywords == ("harbour", "dusk")


def test_a_file_that_only_starts_like_a_jpeg_is_searched_whole() -> None:
    data = b"\xff\xd8" + b"\x00" * 5000 + PACKET
    assert embedded_xmp(data).keywords == ("harbour", "dusk")
