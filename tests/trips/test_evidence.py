"""Proof files: checked by content, images without metadata, served only to those who may
see the traveller, PDFs only as downloads."""

import io
import struct
import zlib
from datetime import date, timedelta

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from tests import factories
from trips.models import Evidence


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path, monkeypatch):
    """The evidence storage of settings.STORAGES, in a folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence")},
        },
    }
    # A FileField resolves its storage once, at import: give it the test's.
    for name in ("file", "thumbnail"):
        monkeypatch.setattr(Evidence._meta.get_field(name), "storage", storages["evidence"])
    return tmp_path / "evidence"


@pytest.fixture
def trip(traveller):
    return factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10)


def upload(client, traveller, trip, name, content, kind="stamp"):
    return client.post(
        reverse("trips:evidence_upload", args=[traveller.pk]),
        {
            "subject": f"trip:{trip.pk}",
            "kind": kind,
            "file": SimpleUploadedFile(name, content, content_type="image/jpeg"),
        },
    )


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), "white")
    exif = image.getexif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (43.0, 15.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (76.0, 57.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` pixels, with almost no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def gps_of(content: bytes) -> dict:
    with Image.open(io.BytesIO(content)) as image:
        return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def test_a_renamed_executable_is_refused_by_its_content(client, hr, traveller, trip):
    client.force_login(hr)
    executable = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200

    response = upload(client, traveller, trip, "stamp.jpg", executable)

    assert response.status_code == 200
    assert "This is not a photo or PDF" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_40000_by_40000_png_is_refused_from_its_header_without_decoding(
    client, hr, traveller, trip, monkeypatch
):
    def no_decoding(*args, **kwargs):
        raise AssertionError("the picture was opened for decoding")

    monkeypatch.setattr(Image, "open", no_decoding)
    client.force_login(hr)

    response = upload(client, traveller, trip, "stamp.png", png_header(40_000, 40_000))

    content = response.content.decode()
    assert "40000 × 40000 pixels" in content
    assert not Evidence.objects.exists()


def test_a_jpeg_with_gps_is_stored_and_thumbnailed_without_it(
    client, traveller_user, traveller, trip
):
    original = jpeg_with_gps()
    assert gps_of(original)  # the upload does carry a location
    client.force_login(traveller_user)

    response = upload(client, traveller, trip, "IMG_0001.JPG", original)

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    stored = evidence.file.open("rb").read()
    thumbnail = evidence.thumbnail.open("rb").read()
    assert gps_of(stored) == {}
    assert gps_of(thumbnail) == {}
    assert b"Exif" not in stored and b"Exif" not in thumbnail
    assert evidence.trip == trip
    assert evidence.uploaded_by == traveller_user
    import hashlib

    assert evidence.sha256 == hashlib.sha256(stored).hexdigest()
    assert evidence.sha256 in evidence.file.name


def test_a_heic_photo_is_stored_as_a_jpeg(client, traveller_user, traveller, trip):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "HEIF")
    client.force_login(traveller_user)

    response = upload(client, traveller, trip, "IMG_0002.HEIC", out.getvalue())

    assert response.status_code == 302
    assert Evidence.objects.get().content_type == "image/jpeg"


def test_a_pdf_with_javascript_is_stored_but_only_ever_served_as_a_download(
    client, hr, traveller, trip
):
    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"
        b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    client.force_login(hr)

    upload(client, traveller, trip, "receipt.pdf", pdf, kind="eqonaq_receipt")
    evidence = Evidence.objects.get()
    response = client.get(reverse("trips:evidence_file", args=[traveller.pk, evidence.pk]))

    assert evidence.content_type == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == pdf


def test_a_file_of_another_organisations_trip_is_a_404(client, hr, traveller, trip):
    other_org = factories.make_organisation(name="Other")
    stranger = factories.make_traveller(organisation=other_org, employee_number="X-1")
    other_trip = factories.make_trip(traveller=stranger, entry=date(2026, 3, 2), days=3)
    other_hr = factories.make_user(organisation=other_org, role="hr")
    client.force_login(other_hr)
    upload(client, stranger, other_trip, "stamp.jpg", jpeg_with_gps())
    theirs = Evidence.objects.get()
    client.force_login(hr)

    urls = [
        reverse("trips:evidence_file", args=[stranger.pk, theirs.pk]),
        reverse("trips:evidence_file", args=[traveller.pk, theirs.pk]),
        reverse("trips:evidence_thumbnail", args=[traveller.pk, theirs.pk]),
    ]

    assert [client.get(url).status_code for url in urls] == [404, 404, 404]


def test_the_traveller_page_and_the_report_list_the_proof(client, hr, traveller):
    recent = factories.make_trip(
        traveller=traveller, entry=timezone.localdate() - timedelta(days=40), days=10
    )
    client.force_login(hr)
    upload(client, traveller, recent, "stamp.jpg", jpeg_with_gps())

    page = client.get(traveller.get_absolute_url()).content.decode()
    report = client.get(reverse("trips:traveller_report", args=[traveller.pk])).content.decode()

    assert "passport stamp" in page
    assert "passport stamp" in report


def test_erasure_deletes_the_files(client, compliance, traveller, trip, evidence_storage):
    from trips.files import privacy

    client.force_login(compliance)
    upload(client, traveller, trip, "stamp.jpg", jpeg_with_gps())
    stored = [p for p in evidence_storage.rglob("*") if p.is_file()]
    assert len(stored) == 2  # the photo and its thumbnail

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda f, *a, **k: f())
        privacy.erase(traveller, on=timezone.localdate())

    assert not Evidence.objects.exists()
    assert [p for p in evidence_storage.rglob("*") if p.is_file()] == []
