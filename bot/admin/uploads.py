"""Images posted with an event or notice: checked and re-encoded with Pillow, stored under the instance folder's
uploads/, served publicly (LINE's servers fetch them without a console session)."""
from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

from flask import abort, current_app, send_from_directory
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_PIXELS = 4096 * 4096
FORMATS = {"JPEG": "jpg", "PNG": "png"}  # what LINE's Flex hero images accept
NAME_PATTERN = re.compile(r"^[0-9a-f]{32}\.(jpg|png)$")


class ImageRejected(ValueError):
    """The upload is not an acceptable image (message in Japanese)."""


def upload_dir() -> Path:
    """UPLOAD_FOLDER (the instance folder's uploads/, set by create_app); never created here: reading makes nothing."""
    return Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")


def check_image(data: bytes) -> str:
    """The file extension for acceptable image bytes; raises ImageRejected otherwise."""
    if not data:
        raise ImageRejected("画像ファイルが空です。")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRejected("画像は2MBまでにしてください。")
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            width, height = img.size
            img.verify()  # reads the whole file: truncated or forged files fail here
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ImageRejected("画像として読み込めませんでした（JPEGかPNGにしてください）。")
    if fmt not in FORMATS:
        raise ImageRejected("JPEGかPNGの画像にしてください。")
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageRejected("画像が大きすぎます（4096×4096ピクセルまで）。")
    return FORMATS[fmt]


def reencode_image(data: bytes, ext: str) -> bytes:
    """The image's pixels written afresh: whatever rode along in the file (appended HTML, metadata) is dropped."""
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        pixels = ImageOps.exif_transpose(img)  # keep a phone photo upright once its EXIF is gone
        out = io.BytesIO()
        if ext == "jpg":
            pixels.convert("RGB").save(out, "JPEG", quality=90)
        else:
            if pixels.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
                pixels = pixels.convert("RGBA")
            pixels.save(out, "PNG")
    return out.getvalue()


def save_image(storage) -> str | None:
    """Store an uploaded image under a random name and return that name (None when nothing was chosen)."""
    if storage is None or not getattr(storage, "filename", ""):
        return None
    data = storage.stream.read(MAX_IMAGE_BYTES + 1)
    ext = check_image(data)
    try:
        data = reencode_image(data, ext)
    except (OSError, ValueError, SyntaxError):
        raise ImageRejected("画像として読み込めませんでした（JPEGかPNGにしてください）。")
    name = f"{uuid.uuid4().hex}.{ext}"
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return name


def serve_upload(name: str):
    """Send a stored image (only names we generated; nothing else on disk is reachable)."""
    if not NAME_PATTERN.match(name):
        abort(404)
    response = send_from_directory(upload_dir(), name, max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
