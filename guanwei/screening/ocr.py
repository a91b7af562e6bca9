"""Text in pictures (C-06 covers 文字、图片): RapidOCR reads the picture, the text is
screened like any other. The models ship inside the rapidocr-onnxruntime wheel; nothing
is downloaded. Loaded lazily, once per process."""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger("guanwei.screening")
_engine: Any = None
_lock = threading.Lock()


class OcrUnavailable(RuntimeError):
    pass


def _ocr() -> Any:
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                try:
                    from rapidocr_onnxruntime import RapidOCR
                except ImportError as e:  # the "ocr" extra is not installed
                    raise OcrUnavailable("rapidocr-onnxruntime is not installed") from e
                _engine = RapidOCR()
    return _engine


def picture_text(data: bytes) -> str:
    """All text lines found in the picture, joined in reading order."""
    result, _ = _ocr()(data)
    if not result:
        return ""
    return "\n".join(str(line[1]) for line in result)
