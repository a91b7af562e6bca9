"""Background work of the content room (run by the task worker, django.tasks).

The text in a library picture is read here, off the request path (issue #9 §15): an OCR
of a large picture costs seconds and hundreds of MB; the submission only screens the text
stored by this task (C-06)."""

from __future__ import annotations

from django.tasks import task


@task()
def read_picture_text(asset_id: int) -> str:
    """OCR one library picture and keep its text on the asset; returns the new status."""
    from guanwei.content.actions import record_picture_text
    from guanwei.content.models import Asset
    from guanwei.screening import ocr

    asset = Asset.objects.filter(pk=asset_id, kind=Asset.Kind.IMAGE).first()
    if asset is None:
        return "missing"
    try:
        with asset.file.open("rb") as fh:
            data = fh.read()
        if not _within_pixel_limit(data):  # an old, never re-encoded picture: not decoded
            return record_picture_text(asset_id, text="", status=Asset.TextStatus.FAILED)
        text = ocr.picture_text(data)
    except ocr.OcrUnavailable:
        return record_picture_text(asset_id, text="", status=Asset.TextStatus.NONE)
    except Exception:  # an unreadable picture: a person must look at it
        return record_picture_text(asset_id, text="", status=Asset.TextStatus.FAILED)
    return record_picture_text(asset_id, text=text, status=Asset.TextStatus.DONE)


def _within_pixel_limit(data: bytes) -> bool:
    """Width × height from the header only (issue #9 §15): pictures uploaded since are
    re-encoded and checked at upload; one from before might be a decompression bomb."""
    import io
    import warnings

    from django.conf import settings
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
    return bool(width * height <= settings.GUANWEI_MAX_IMAGE_PIXELS)
