"""Files kept with a case: what is accepted, and how one reads back.

A file is accepted when its bytes are what its name says: a JPEG, PNG, HEIC or WebP photo, or a
PDF record, told apart by their first bytes (a renamed file is refused), at most
`MAX_ATTACHMENT_BYTES`. Each is kept as a documentation item (photos, medical records...), and
that item counts as on file in the case's checklist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from dermcover.case import DocumentationItem
from dermcover.inputs import InputError

MAX_ATTACHMENT_BYTES = 10_000_000

# media type -> (file name endings, a test on the first bytes)
_KINDS: dict[str, tuple[tuple[str, ...], tuple[bytes, ...]]] = {
    "image/jpeg": ((".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
    "image/png": ((".png",), (b"\x89PNG\r\n\x1a\n",)),
    "image/webp": ((".webp",), (b"RIFF",)),
    "image/heic": ((".heic", ".heif"), (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypheif")),
    "application/pdf": ((".pdf",), (b"%PDF-",)),
}
ALLOWED = ", ".join(ending for endings, _ in _KINDS.values() for ending in endings)


@dataclass(frozen=True)
class AttachmentView:
    id: int
    case_id: str  # the case's public id
    item: DocumentationItem
    filename: str
    media_type: str
    size: int
    uploaded_by: int
    uploaded_at: datetime


def checked_file(filename: str, content: bytes) -> tuple[str, str]:
    """The file's safe name and its media type, or an InputError naming what is wrong."""
    name = PurePosixPath(filename.replace("\\", "/")).name.strip()[:200]
    if not name:
        raise InputError("file: has no name; choose a photo or a PDF")
    if not content:
        raise InputError(f"file {name!r}: is empty")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise InputError(
            f"file {name!r}: {len(content):,} bytes; at most {MAX_ATTACHMENT_BYTES:,} are allowed"
        )
    ending = PurePosixPath(name).suffix.lower()
    for media_type, (endings, signatures) in _KINDS.items():
        if ending in endings:
            head = content[4:12] if media_type == "image/heic" else content[:8]
            if not any(head.startswith(signature) for signature in signatures):
                raise InputError(
                    f"file {name!r}: its contents are not a {ending} file; a renamed file cannot "
                    "be checked"
                )
            if media_type == "image/webp" and content[8:12] != b"WEBP":
                raise InputError(f"file {name!r}: its contents are not a .webp file")
            return name, media_type
    raise InputError(f"file {name!r}: {ending or 'no ending'} is not accepted; allowed: {ALLOWED}")
