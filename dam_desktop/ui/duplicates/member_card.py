"""One member of a duplicate group: its picture (or, for a sound, a player), and what the keep-best
rule weighs: resolution (or sample rate and channels), size, format and the date it was added."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from dam_desktop.ui.inspector.audio_player import AudioPlayer
from dam_desktop.use_cases.duplicates import Member

PICTURE = 150
CARD_WIDTH = PICTURE + 24
# The one keep-best keeps is outlined in the highlight colour.
CARD_STYLE = (
    "QFrame#duplicateBest { border: 2px solid palette(highlight); border-radius: 6px; }"
    "QFrame#duplicateMember { border: 1px solid palette(mid); border-radius: 6px; }"
    "QLabel#duplicateBadge { color: palette(highlight); font-weight: bold; }"
)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def resolution_text(member: Member, kind: str) -> str:
    if kind == "audio":
        channels = {1: "mono", 2: "stereo"}.get(member.height, f"{member.height} channels")
        return f"{member.width / 1000:g} kHz · {channels}"
    return f"{member.width} × {member.height}"


class MemberCard(QFrame):
    """A card; the group's best (the one keep-best keeps) is marked and outlined."""

    def __init__(self, member: Member, kind: str, best: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.member = member
        self.setObjectName("duplicateBest" if best else "duplicateMember")
        self.setStyleSheet(CARD_STYLE)
        self.setFixedWidth(CARD_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(4)
        self.badge = QLabel("★ Keep" if best else "Trash on keep-best", self)
        self.badge.setObjectName("duplicateBadge" if best else "dimLabel")
        layout.addWidget(self.badge)
        self.picture = QLabel(self)
        self.picture.setFixedSize(PICTURE, PICTURE * 3 // 4)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.player: AudioPlayer | None = None
        if kind == "audio":
            self.player = AudioPlayer(self)
            self.player.setFixedHeight(PICTURE // 2)
            layout.addWidget(self.player)
        else:
            self.picture.setText("…")
            layout.addWidget(self.picture)
        self.name = QLabel(member.filename, self)
        self.name.setObjectName("duplicateName")
        self.name.setWordWrap(True)
        self.name.setToolTip(f"{member.filename} (#{member.entity_id})")
        layout.addWidget(self.name)
        facts = (
            resolution_text(member, kind),
            f"{human_size(member.size_bytes)} · {member.extension.upper() or '?'}",
            f"added {member.added.strftime('%Y-%m-%d %H:%M')}",
        )
        self.facts = [QLabel(text, self) for text in facts]
        for label in self.facts:
            label.setObjectName("dimLabel")
            layout.addWidget(label)
        layout.addStretch(1)

    def facts_text(self) -> list[str]:
        return [label.text() for label in self.facts]

    def set_picture(self, image: QImage) -> None:
        self.picture.setPixmap(QPixmap.fromImage(image))

    async def load_sound(self, path: Path | None) -> None:
        if self.player is not None and path is not None:
            await self.player.load(path)
