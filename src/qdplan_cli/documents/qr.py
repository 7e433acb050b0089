"""The record's QR code: what it holds and its picture. The only module that imports segno.

The code printed on the incident record (beside 事件编号 and 记录校验码) holds the incident id,
the record hash and the number of events the record was made from::

    QDPLAN1|20261208-0912-1|3f2a9c1b0d4e|17

``qdplan verify --scan PHOTO`` reads it back from a photo or a scan of the signed page and says
whether the store holds exactly that record (local/scan.py reads the picture).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

PREFIX = "QDPLAN1"
_CODE_RE = re.compile(rf"{PREFIX}\|([0-9A-Za-z-]{{1,64}})\|([0-9a-f]{{8,64}})\|([0-9]{{1,9}})")
# The picture's size on paper: about 25 mm, readable by a phone held at arm's length.
SIZE_MM = 25


@dataclass(frozen=True)
class RecordCode:
    incident_id: str
    record_hash: str
    events: int

    def text(self) -> str:
        return f"{PREFIX}|{self.incident_id}|{self.record_hash}|{self.events}"


def parse(text: str) -> RecordCode | None:
    """The record code in a decoded text, or None when it is not one of ours."""
    match = _CODE_RE.fullmatch(text.strip())
    if match is None:
        return None
    return RecordCode(match.group(1), match.group(2), int(match.group(3)))


def png(code: RecordCode) -> bytes:
    """The QR code as a black-and-white PNG (error correction M, a quiet zone of 4 modules)."""
    import segno

    out = io.BytesIO()
    segno.make(code.text(), error="m", micro=False).save(out, kind="png", scale=8, border=4)
    return out.getvalue()
