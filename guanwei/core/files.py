"""What a file really is, decided from its bytes, and how guanwei serves it (issue #9 §2).

Pure Python (no Django, no room): the upload action, the library's file view and the
public website all use it. The browser's Content-Type and the file's name are never
trusted: a file is one of the allowed kinds only if its first bytes (and, for Office
files, its zip structure) say so.

* pictures (JPEG, PNG, GIF, WebP) are shown inline;
* attachments (PDF, DOCX, XLSX; MP4 only where a pack allows video) are always
  downloaded (``Content-Disposition: attachment``);
* every file response carries ``X-Content-Type-Options: nosniff`` and
  ``Content-Security-Policy: sandbox`` (a file that still contains markup runs nothing).
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Kind:
    key: str  # "png", "pdf", ...
    content_type: str
    extension: str  # without the dot: what a stored file is named with
    picture: bool
    label: str  # Chinese, for messages


PNG = Kind("png", "image/png", "png", True, "PNG 图片")
JPEG = Kind("jpeg", "image/jpeg", "jpg", True, "JPEG 图片")
GIF = Kind("gif", "image/gif", "gif", True, "GIF 图片")
WEBP = Kind("webp", "image/webp", "webp", True, "WebP 图片")
PDF = Kind("pdf", "application/pdf", "pdf", False, "PDF 文件")
DOCX = Kind(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
    False,
    "Word 文档（.docx）",
)
XLSX = Kind(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
    False,
    "Excel 表格（.xlsx）",
)
MP4 = Kind("mp4", "video/mp4", "mp4", False, "MP4 视频")
PICTURES = (PNG, JPEG, GIF, WEBP)
ATTACHMENTS = (PDF, DOCX, XLSX)
ALL = (*PICTURES, *ATTACHMENTS, MP4)
BY_EXTENSION = {k.extension: k for k in ALL} | {"jpeg": JPEG}
OCTET = "application/octet-stream"


def allowed_labels(*, video: bool) -> str:
    kinds = [*PICTURES, *ATTACHMENTS, *([MP4] if video else [])]
    return "、".join(k.label for k in kinds)


def _office(data: bytes) -> Kind | None:
    """DOCX / XLSX: a zip whose [Content_Types].xml names the main part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "[Content_Types].xml" not in names:
                return None
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    return None


def sniff(data: bytes) -> Kind | None:
    """The kind of ``data`` by its magic bytes, or None when it is none of the allowed."""
    head = data[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _office(data)
    if head[4:8] == b"ftyp" and head[8:12] in (b"isom", b"iso2", b"mp41", b"mp42", b"avc1"):
        return MP4
    return None


def kind_of_name(name: str) -> Kind | None:
    """The kind a stored file's (generated) extension names; None for anything else."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return BY_EXTENSION.get(ext)


class Headers(Protocol):
    def __setitem__(self, key: str, value: Any, /) -> None: ...


def harden(headers: Headers, *, picture: bool, filename: str = "") -> None:
    """The headers every file response carries (issue #9 §2): never sniffed, never run,
    downloaded unless it is a picture."""
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = "sandbox"
    if not picture:
        safe = "".join(c for c in filename if c.isalnum() or c in "._-") or "file"
        headers["Content-Disposition"] = f'attachment; filename="{safe}"'


class Refused(ValueError):
    """An upload guanwei does not take; the message is Chinese, for the person."""


def reencode(data: bytes, kind: Kind, *, max_pixels: int) -> bytes:
    """A picture decoded and written again by Pillow in its own format (issue #9 §2):
    what was appended to it (a polyglot's HTML), its metadata (EXIF with GPS, PNG text)
    and anything Pillow cannot read are gone. The size in pixels is read from the header
    first: above ``max_pixels`` nothing is decoded (§15, a decompression bomb); for an
    animated GIF or WebP the limit holds for its frames together (a frame-count bomb)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    formats = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}
    try:
        with warnings.catch_warnings():  # the size is checked here, against our own limit
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[formats[kind.key]]) as probe:
                width, height = probe.size
                if width * height > max_pixels:
                    raise Refused(
                        f"图片太大：{width}×{height} 像素，"
                        f"超过上限 {max_pixels // 1_000_000} 百万像素。请缩小后再上传。"
                    )
                # an animation is decoded frame by frame and every frame is kept while it
                # is written again: the limit bounds the pixels of all frames together
                # (an APNG is written again as its first frame only: its frames cost nothing)
                frames = 1
                if kind.key in ("gif", "webp"):
                    frames = int(getattr(probe, "n_frames", 1) or 1)  # headers, no decoding
                if frames > 1 and width * height * frames > max_pixels:
                    raise Refused(
                        f"动图太大：{width}×{height} 像素，共 {frames} 帧，"
                        f"合计超过上限 {max_pixels // 1_000_000} 百万像素。"
                        "请减少帧数或缩小后再上传。"
                    )
                probe.verify()
        with Image.open(io.BytesIO(data), formats=[formats[kind.key]]) as img:
            animated = bool(getattr(img, "is_animated", False)) and kind.key in ("gif", "webp")
            img.load()
            out = io.BytesIO()
            if animated:
                img.save(out, format=formats[kind.key], save_all=True)
            elif kind.key == "jpeg":
                clean = ImageOps.exif_transpose(img) or img
                if clean.mode not in ("RGB", "L", "CMYK"):
                    clean = clean.convert("RGB")
                clean.save(out, format="JPEG", quality=90)
            else:
                img.save(out, format=formats[kind.key])
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise Refused("图片太大，无法处理。请缩小后再上传。") from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as e:
        raise Refused(f"图片文件已损坏或不是真正的{kind.label}，无法使用。") from e
    return out.getvalue()
