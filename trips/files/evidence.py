"""Proof files in: checked by their content (never their name), images re-encoded without their
metadata (GPS included) and given a thumbnail, each stored under its SHA-256.

Accepted: JPEG, PNG, HEIC (stored as JPEG) and PDF, up to `STAYSITE_EVIDENCE_MAX_BYTES`. An
image's size in pixels is read from its header and refused over `STAYSITE_EVIDENCE_MAX_PIXELS`
before anything is decoded. A PDF is stored as it came: it is only ever served as a download
(trips/views/evidence.py), so a script in it never runs in the page.
"""

from __future__ import annotations

import hashlib
import io
import struct
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from trips.models import Evidence, Traveller

THUMBNAIL_SIZE = (320, 320)
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}

try:  # HEIC photos (iPhones) through pillow-heif's wheel
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - refused with a message instead
    HEIC = False


@dataclass(frozen=True)
class Checked:
    content: bytes
    content_type: str
    thumbnail: bytes | None


def sniff(head: bytes) -> str | None:
    """The file's type from its first bytes, or None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "image/heic"
    return None


def png_size(head: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR chunk: the header alone, nothing decoded."""
    if len(head) < 24 or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def check(upload) -> Checked:
    """The upload as it will be stored; `ValidationError` with the reason otherwise."""
    limit = settings.STAYSITE_EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is over %(mb)d MB: send a smaller photo or scan.")
            % {"mb": limit // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(32)
    kind = sniff(head)
    if kind is None:
        raise ValidationError(
            _("This is not a photo or PDF: send a JPEG, PNG, HEIC or PDF file."),
            code="file_type",
        )
    if kind == "image/heic" and not HEIC:  # pragma: no cover
        raise ValidationError(
            _("HEIC photos cannot be read here: send the photo as JPEG."), code="heic"
        )
    upload.seek(0)
    content = upload.read()
    if kind == "application/pdf":
        return Checked(content, kind, None)
    size = png_size(head) if kind == "image/png" else None
    if size is not None:
        _refuse_large(*size)
    return _image(content)


def _refuse_large(width: int, height: int) -> None:
    if width * height > settings.STAYSITE_EVIDENCE_MAX_PIXELS:
        raise ValidationError(
            _("The picture is %(w)d × %(h)d pixels, more than a photo needs: send a smaller one.")
            % {"w": width, "h": height},
            code="too_many_pixels",
        )


def _image(content: bytes) -> Checked:
    """Re-encoded as JPEG or PNG without any metadata, and a thumbnail."""
    image: Image.Image  # the opened file, then the upright copy exif_transpose makes
    try:
        with Image.open(io.BytesIO(content)) as image:
            _refuse_large(*image.size)  # from the header: `open` decodes nothing
            image.load()
            image = ImageOps.exif_transpose(image)
            fmt = "PNG" if image.format == "PNG" else "JPEG"
            clean = _without_metadata(image, fmt)
            thumbnail = image.copy()
            thumbnail.thumbnail(THUMBNAIL_SIZE)
            small = _without_metadata(thumbnail, "JPEG")
    except Image.DecompressionBombError:
        raise ValidationError(
            _("The picture has more pixels than a photo needs: send a smaller one."),
            code="too_many_pixels",
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("The picture cannot be read: it may be damaged. Send it again."), code="damaged"
        ) from None
    return Checked(clean, "image/png" if fmt == "PNG" else "image/jpeg", small)


def _without_metadata(image: Image.Image, fmt: str) -> bytes:
    """The pixels alone: a new image, so no EXIF, GPS, XMP or text chunk comes along."""
    if fmt == "JPEG" and image.mode not in {"RGB", "L"}:
        image = image.convert("RGB")
    bare = Image.new(image.mode, image.size)
    bare.paste(image)
    out = io.BytesIO()
    bare.save(out, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return out.getvalue()


def store(checked: Checked, *, traveller: Traveller, subject: dict, kind: str, by) -> Evidence:
    """Save the checked file and its record; the file's name is its SHA-256."""
    digest = hashlib.sha256(checked.content).hexdigest()
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
    evidence = Evidence(
        traveller=traveller,
        kind=kind,
        content_type=checked.content_type,
        sha256=digest,
        size=len(checked.content),
        uploaded_by=by,
        **subject,
    )
    folder = f"{traveller.organisation_id}/{traveller.pk}"
    evidence.file.save(
        f"{folder}/{digest}.{extension[checked.content_type]}",
        ContentFile(checked.content),
        save=False,
    )
    if checked.thumbnail is not None:
        evidence.thumbnail.save(
            f"{folder}/{digest}.thumb.jpg", ContentFile(checked.thumbnail), save=False
        )
    try:
        with transaction.atomic():
            evidence.save()
    except Exception:
        delete_files([evidence])
        raise
    return evidence


def delete_files(items) -> None:
    """Remove the stored files of `items` (their rows are the caller's)."""
    for evidence in items:
        for field in (evidence.file, evidence.thumbnail):
            if field and field.name:
                field.storage.delete(field.name)


def erase(traveller: Traveller) -> None:
    """Delete every proof file of `traveller` and its record, once the erasure commits."""
    items = list(Evidence.objects.filter(traveller=traveller))
    Evidence.objects.filter(traveller=traveller).delete()
    Evidence.history.filter(traveller_id=traveller.pk).update(file="", thumbnail="")
    transaction.on_commit(lambda: delete_files(items))
