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
            text = ocr.picture_text(fh.read())
    except ocr.OcrUnavailable:
        return record_picture_text(asset_id, text="", status=Asset.TextStatus.NONE)
    except Exception:  # an unreadable picture: a person must look at it
        return record_picture_text(asset_id, text="", status=Asset.TextStatus.FAILED)
    return record_picture_text(asset_id, text=text, status=Asset.TextStatus.DONE)
