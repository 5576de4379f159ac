"""The rich menu under the chat: six large areas for the main entries, and the image drawn for it.

The image is generated once with Pillow and a CJK font (render_richmenu_image) and shipped as
content/static/richmenu.png, so neither the server nor CI needs a Japanese font. Each area is a
message action that sends the entry's Japanese word, which handlers.text routes like a typed word.
"""
from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path

from content.i18n import N_, translator
from content.menus import MAIN_MENU
from content.messages import shorten_graphemes

WIDTH, HEIGHT = 2500, 1686  # LINE's large full-size menu: six areas of about 833 × 843 px each
COLUMNS, ROWS = 3, 2
RICHMENU_NAME = "tsunagari main menu"  # deploy replaces older menus with this name
CHAT_BAR_TEXT = N_("タップしてメニュー")
IMAGE_PATH = Path(__file__).parent / "static" / "richmenu.png"
MAX_IMAGE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Tile:
    """One area as drawn: the word it sends, an English subtitle, a background colour and an icon."""

    command: str
    word: str  # Japanese msgid from content.menus.MAIN_MENU; also the text the action sends
    subtitle: str
    colour: str
    icon: str


# Dark backgrounds with white text: every pair has a contrast ratio of at least 5:1 (WCAG AA).
_LOOK = {
    "events": ("Events", "#C62828", "calendar"),
    "facilities": ("Facilities", "#1565C0", "building"),
    "participate": ("Join / Volunteer", "#2E7D32", "heart"),
    "survey": ("Survey", "#6A1B9A", "clipboard"),
    "settings": ("Settings", "#455A64", "gear"),
    "help": ("Help", "#BF360C", "question"),
}
TILES: tuple[Tile, ...] = tuple(Tile(command, word, *_LOOK[command]) for command, word in MAIN_MENU)


def tile_bounds(index: int) -> dict:
    """Pixel bounds of the index-th area (row by row), the last column/row taking the remainder."""
    col, row = index % COLUMNS, index // COLUMNS
    cell_w, cell_h = WIDTH // COLUMNS, HEIGHT // ROWS
    x, y = col * cell_w, row * cell_h
    width = WIDTH - x if col == COLUMNS - 1 else cell_w
    height = HEIGHT - y if row == ROWS - 1 else cell_h
    return {"x": x, "y": y, "width": width, "height": height}


def richmenu_definition(lang: str = "ja") -> dict:
    """The rich menu object for LINE (create rich menu), labels and chat-bar text in `lang`."""
    _ = translator(lang)
    areas = [{"bounds": tile_bounds(i),
              "action": {"type": "message", "label": shorten_graphemes(_(tile.word), 20), "text": tile.word}}
             for i, tile in enumerate(TILES)]
    return {"size": {"width": WIDTH, "height": HEIGHT}, "selected": True, "name": RICHMENU_NAME,
            "chatBarText": shorten_graphemes(_(CHAT_BAR_TEXT), 14), "areas": areas}


def richmenu_size_problems(width: int, height: int, size_bytes: int) -> list[str]:
    """What LINE would refuse about a rich menu image of this size (empty = fine)."""
    problems = []
    if not 800 <= width <= 2500:
        problems.append(f"width {width} is not within 800–2500 px")
    if height < 250:
        problems.append(f"height {height} is under 250 px")
    if height and width / height < 1.45:
        problems.append(f"aspect ratio {width / height:.3f} is under 1.45")
    if size_bytes > MAX_IMAGE_BYTES:
        problems.append(f"{size_bytes} bytes is over 1 MB")
    return problems


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (no imaging library needed at runtime)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", data[16:24])


def richmenu_image() -> bytes:
    """The shipped rich menu image (PNG bytes)."""
    return IMAGE_PATH.read_bytes()


# ---------------------------------------------------------------- drawing (only to regenerate the PNG)

_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",  # Debian fonts-noto-cjk
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKjp-Bold.otf",
    "/System/Library/Fonts/ヒラギノ角ゴシック W6.ttc",
)


def find_cjk_font() -> str:
    """Path of a bold CJK font (install Debian's fonts-noto-cjk to regenerate the image)."""
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    raise FileNotFoundError("no CJK font found; install fonts-noto-cjk to regenerate the rich menu image")


def render_richmenu_image(path: str | Path = IMAGE_PATH, font_path: str | None = None) -> Path:
    """Draw the menu (big Japanese word, English subtitle, icon per tile) and save it as an optimised PNG."""
    from PIL import Image, ImageDraw

    font_path = font_path or find_cjk_font()
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    for index, tile in enumerate(TILES):
        _draw_tile(draw, tile_bounds(index), tile, font_path)
    # Flat colours: an adaptive palette keeps the file small without visible loss.
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, format="PNG", optimize=True)
    return path


_GAP = 6  # white line between tiles, so each area reads as its own button


def _font(font_path: str, size: int):
    """The CJK font at a size (index 0 of Noto's collection is the Japanese face)."""
    from PIL import ImageFont

    return ImageFont.truetype(font_path, size, index=0)


def _label_lines(word: str, draw, font_path: str, max_width: int) -> tuple[list[str], object]:
    """The word on one line at the largest size that fits, or split after 「・」 when one line gets small."""
    for lines, sizes in (([word], range(170, 109, -5)), (_split(word), range(150, 59, -5))):
        for size in sizes:
            font = _font(font_path, size)
            if all(draw.textlength(line, font=font) <= max_width for line in lines):
                return lines, font
    return _split(word), _font(font_path, 60)


def _split(word: str) -> list[str]:
    """Two lines for a long word: after 「・」 when there is one, else in the middle."""
    if "・" in word:
        head, tail = word.split("・", 1)
        return [head + "・", tail]
    middle = len(word) // 2
    return [word[:middle], word[middle:]]


def _draw_tile(draw, box: dict, tile: Tile, font_path: str) -> None:
    """One tile: background, icon, the Japanese word, the English subtitle, stacked and centred."""
    x0, y0 = box["x"] + _GAP, box["y"] + _GAP
    x1, y1 = box["x"] + box["width"] - _GAP, box["y"] + box["height"] - _GAP
    draw.rounded_rectangle((x0, y0, x1, y1), radius=36, fill=tile.colour)
    width = x1 - x0
    lines, font = _label_lines(tile.word, draw, font_path, int(width * 0.88))
    subtitle_font = _font(font_path, 72)
    line_height = int(font.size * 1.15)
    icon_size, gap = 250, 50
    block = icon_size + gap + line_height * len(lines) + 30 + 80
    top = y0 + ((y1 - y0) - block) // 2
    centre = (x0 + x1) // 2
    _draw_icon(draw, tile.icon, centre, top + icon_size // 2, icon_size, tile.colour)
    y = top + icon_size + gap
    for line in lines:
        draw.text((centre, y), line, font=font, fill="white", anchor="mt")
        y += line_height
    draw.text((centre, y + 30), tile.subtitle, font=subtitle_font, fill="#FFFFFFE6", anchor="mt")


def _draw_icon(draw, icon: str, cx: int, cy: int, size: int, background: str) -> None:
    """A simple white pictogram centred on (cx, cy), drawn with primitives (no icon font needed)."""
    s = size / 2
    white = "white"
    if icon == "calendar":
        draw.rounded_rectangle((cx - s, cy - s * 0.75, cx + s, cy + s), radius=24, fill=white)
        draw.rectangle((cx - s + 18, cy - s * 0.30, cx + s - 18, cy + s - 18), fill=background)
        for dx in (-0.5, 0.5):
            draw.rounded_rectangle((cx + dx * s - 14, cy - s, cx + dx * s + 14, cy - s * 0.55), radius=10, fill=white)
        for row in range(3):
            for col in range(4):
                px = cx - s * 0.62 + col * s * 0.41
                py = cy - s * 0.08 + row * s * 0.33
                draw.rectangle((px - 16, py - 14, px + 16, py + 14), fill=white)
    elif icon == "building":
        draw.polygon([(cx - s, cy - s * 0.35), (cx, cy - s), (cx + s, cy - s * 0.35)], fill=white)
        draw.rectangle((cx - s * 0.95, cy + s * 0.78, cx + s * 0.95, cy + s), fill=white)
        for i in range(4):
            px = cx - s * 0.72 + i * s * 0.48
            draw.rectangle((px - 18, cy - s * 0.25, px + 18, cy + s * 0.72), fill=white)
    elif icon == "heart":
        r = s * 0.52
        draw.ellipse((cx - 2 * r + 4, cy - s * 0.75, cx + 4, cy - s * 0.75 + 2 * r), fill=white)
        draw.ellipse((cx - 4, cy - s * 0.75, cx + 2 * r - 4, cy - s * 0.75 + 2 * r), fill=white)
        draw.polygon([(cx - 2 * r + 10, cy - s * 0.75 + r * 1.25), (cx + 2 * r - 10, cy - s * 0.75 + r * 1.25),
                      (cx, cy + s * 0.95)], fill=white)
    elif icon == "clipboard":
        draw.rounded_rectangle((cx - s * 0.78, cy - s * 0.82, cx + s * 0.78, cy + s), radius=22, fill=white)
        draw.rounded_rectangle((cx - s * 0.35, cy - s, cx + s * 0.35, cy - s * 0.62), radius=14, fill=background)
        for i in range(3):
            py = cy - s * 0.3 + i * s * 0.45
            draw.line((cx - s * 0.52, py, cx - s * 0.36, py + 20, cx - s * 0.12, py - 22), fill=background, width=16)
            draw.rectangle((cx, py - 8, cx + s * 0.52, py + 8), fill=background)
    elif icon == "gear":
        teeth = 8
        for i in range(teeth):
            angle = 2 * math.pi * i / teeth
            points = []
            for da, radius in ((-0.2, 0.7), (-0.13, 1.0), (0.13, 1.0), (0.2, 0.7)):
                points.append((cx + math.cos(angle + da) * s * radius, cy + math.sin(angle + da) * s * radius))
            draw.polygon(points, fill=white)
        draw.ellipse((cx - s * 0.75, cy - s * 0.75, cx + s * 0.75, cy + s * 0.75), fill=white)
        draw.ellipse((cx - s * 0.3, cy - s * 0.3, cx + s * 0.3, cy + s * 0.3), fill=background)
    elif icon == "question":
        draw.ellipse((cx - s, cy - s, cx + s, cy + s), fill=white)
        font = _font(find_cjk_font(), int(size * 0.78))
        draw.text((cx, cy + 4), "?", font=font, fill=background, anchor="mm")


if __name__ == "__main__":  # regenerate the shipped image: python -m content.richmenu
    print(render_richmenu_image())
