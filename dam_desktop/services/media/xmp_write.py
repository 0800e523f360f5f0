"""Writing keywords, rating and label into an XMP sidecar, keeping everything else it holds.

The library is the truth for what it writes: `dc:subject` and `lr:hierarchicalSubject` are
replaced by the asset's tags (a keyword removed here is removed there), and, when the asset has
marks, `xmp:Rating` and `xmp:Label` by its marks. Every other property of an existing sidecar
(darktable's history, digiKam's face regions, Lightroom's develop settings, the bytes around the
packet) is kept as it was; a sidecar that is not well-formed XMP is refused, never overwritten.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from dam_desktop.services.media.xmp import NS, PACKET, XmpFacts, parse_packet

RDF, DC, LR, XMP = (f"{{{NS[k]}}}" for k in ("rdf", "dc", "lr", "xmp"))
PACKET_HEAD = b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
PACKET_TAIL = b'\n<?xpacket end="w"?>\n'
# ElementTree names prefixes it does not know ns0, ns1 ... and refuses to register such names.
_RESERVED_PREFIX = re.compile(r"ns\d+$")


class SidecarUnreadable(ValueError):
    """An existing sidecar that is not well-formed XMP: rewriting it would lose what it holds."""


@dataclass(frozen=True)
class SidecarFacts:
    """What the library writes. With `has_marks` False, rating and label are left as they are."""

    keywords: tuple[str, ...] = ()
    hierarchies: tuple[tuple[str, ...], ...] = ()  # each from the root to the leaf
    rating: int = 0  # 0: unrated (no xmp:Rating); -1: rejected
    label: str | None = None  # a colour label as the library names it ("red")
    has_marks: bool = False

    def as_read_back(self, before: XmpFacts) -> XmpFacts:
        """What our reader will find in the sidecar once this is written over `before`."""
        rating = (self.rating or None) if self.has_marks else before.rating
        label = xmp_label(self.label) if self.has_marks else before.label
        return XmpFacts(self.keywords, self.hierarchies, rating, label)


def xmp_label(label: str | None) -> str | None:
    """Lightroom, Bridge and digiKam write colour labels capitalised: "Red"."""
    return label.capitalize() if label else None


def _register_prefixes(packet: bytes) -> None:
    for prefix, uri in NS.items():
        ET.register_namespace(prefix, uri)
    for _event, (prefix, uri) in ET.iterparse(io.BytesIO(packet), events=("start-ns",)):
        if prefix and not _RESERVED_PREFIX.match(prefix) and uri not in NS.values():
            ET.register_namespace(prefix, uri)


def _bag(parent: ET.Element, tag: str, values: tuple[str, ...]) -> None:
    if not values:
        return
    bag = ET.SubElement(ET.SubElement(parent, tag), f"{RDF}Bag")
    for value in values:
        ET.SubElement(bag, f"{RDF}li").text = value


def _empty_packet() -> bytes:
    return (
        f'<x:xmpmeta xmlns:x="{NS["x"]}" x:xmptk="dam-desktop">'
        f'<rdf:RDF xmlns:rdf="{NS["rdf"]}"><rdf:Description rdf:about=""/></rdf:RDF></x:xmpmeta>'
    ).encode()


def _rewrite(root: ET.Element, facts: SidecarFacts) -> None:
    rdf = root if root.tag == f"{RDF}RDF" else root.find(f"{RDF}RDF")
    if rdf is None:
        rdf = ET.SubElement(root, f"{RDF}RDF")
    descriptions = rdf.findall(f"{RDF}Description")
    if not descriptions:
        descriptions = [ET.SubElement(rdf, f"{RDF}Description", {f"{RDF}about": ""})]
    replaced = [f"{DC}subject", f"{LR}hierarchicalSubject"]
    if facts.has_marks:
        replaced += [f"{XMP}Rating", f"{XMP}Label"]
    for description in descriptions:
        for name in replaced:
            description.attrib.pop(name, None)
            for child in description.findall(name):
                description.remove(child)
    target = descriptions[0]
    for emptied in descriptions[1:]:
        if not len(emptied) and set(emptied.attrib) <= {f"{RDF}about"}:
            rdf.remove(emptied)
    _bag(target, f"{DC}subject", facts.keywords)
    _bag(target, f"{LR}hierarchicalSubject", tuple("|".join(levels) for levels in facts.hierarchies))
    if facts.has_marks:
        if facts.rating:
            target.set(f"{XMP}Rating", str(facts.rating))
        if label := xmp_label(facts.label):
            target.set(f"{XMP}Label", label)


def current_facts(existing: bytes | None) -> XmpFacts:
    """What an existing sidecar says now (SidecarUnreadable when it holds no readable packet)."""
    if existing is None or not existing.strip():
        return XmpFacts()
    match = PACKET.search(existing)
    if match is None:
        raise SidecarUnreadable("the existing sidecar holds no complete XMP packet")
    try:
        ET.fromstring(match.group(0))
    except ET.ParseError as exc:
        raise SidecarUnreadable(f"the existing sidecar is not well-formed XMP ({exc})") from None
    return parse_packet(match.group(0))


def sidecar_bytes(existing: bytes | None, facts: SidecarFacts) -> bytes:
    """The sidecar to write: `existing` (None: there is none) with the library's facts in it."""
    current_facts(existing)
    if existing is None or not existing.strip():
        head, packet, tail = PACKET_HEAD, _empty_packet(), PACKET_TAIL
    else:
        match = PACKET.search(existing)
        assert match is not None  # current_facts said so
        head, packet, tail = existing[: match.start()], match.group(0), existing[match.end() :]
    _register_prefixes(packet)
    root = ET.fromstring(packet)
    _rewrite(root, facts)
    ET.indent(root, space=" ")
    return head + ET.tostring(root, encoding="unicode").encode("utf-8") + tail
