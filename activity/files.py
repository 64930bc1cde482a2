"""Checks of uploaded attachments: the bytes must be what the name says, and not too many of them."""

from dataclasses import dataclass
from pathlib import PurePath

from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from orgs.errors import DomainError

from .conf import setting


@dataclass(frozen=True)
class FileType:
    kind: str
    content_type: str
    extensions: tuple[str, ...]


# Recognized by their first bytes, never by the name or the browser's claim alone.
IMAGE_PNG = FileType("image", "image/png", (".png",))
IMAGE_JPEG = FileType("image", "image/jpeg", (".jpg", ".jpeg"))
IMAGE_GIF = FileType("image", "image/gif", (".gif",))
IMAGE_WEBP = FileType("image", "image/webp", (".webp",))
PDF = FileType("pdf", "application/pdf", (".pdf",))
ALLOWED_EXTENSIONS = tuple(e for t in (IMAGE_PNG, IMAGE_JPEG, IMAGE_GIF, IMAGE_WEBP, PDF) for e in t.extensions)


def sniff(head: bytes) -> FileType | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return IMAGE_PNG
    if head.startswith(b"\xff\xd8\xff"):
        return IMAGE_JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return IMAGE_GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return IMAGE_WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def check_upload(upload, *, field: str = "file") -> tuple[FileType, str]:
    """The file's type and a safe name, or a DomainError naming the file and what is wrong with it."""
    name = PurePath(upload.name or "").name
    limit = setting("ACTIVITY_ATTACHMENT_MAX_BYTES")
    if upload.size > limit:
        raise DomainError(
            _("%(name)s is %(size).1f MB; an attachment may be at most %(limit).0f MB.")
            % {"name": name, "size": upload.size / 1024 / 1024, "limit": limit / 1024 / 1024},
            field=field,
        )
    if upload.size == 0:
        raise DomainError(_("%(name)s is empty.") % {"name": name}, field=field)
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise DomainError(
            _("%(name)s is not an image or a PDF: attach .jpg, .png, .gif, .webp or .pdf files.") % {"name": name},
            field=field,
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found is None or extension not in found.extensions:
        raise DomainError(
            _("The content of %(name)s is not a %(extension)s file.") % {"name": name, "extension": extension},
            field=field,
        )
    safe = get_valid_filename(PurePath(name).stem)[:80] or "file"
    return found, f"{safe}{found.extensions[0] if extension not in found.extensions else extension}"
