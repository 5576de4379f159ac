"""Reading a municipal CSV as published: encoding detection, comment lines, physical line numbers."""
from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

# Try strict decoders in this order; cp932 (not shift_jis) so ①, ㈱ and 髙 decode.
_ENCODINGS = ("utf-8-sig", "cp932")


@dataclass
class CsvTable:
    """A decoded CSV: its header (normalised), the rows with the physical line each starts on."""

    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    encoding: str = "utf-8"
    header_line: int = 1


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (with or without BOM), cp932, else charset-normalizer's guess."""
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, "utf-8-sig" if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf") else (
            "utf-8" if encoding == "utf-8-sig" else encoding)
    from charset_normalizer import from_bytes  # only for the rare file neither decoder reads

    best = from_bytes(data).best()
    if best is None:
        return data.decode("utf-8", errors="replace"), "unknown"
    return str(best), best.encoding


def normalize_header(name: str) -> str:
    """A header cell reduced for alias lookup: NFKC, no spaces, no BOM."""
    name = unicodedata.normalize("NFKC", name.replace("\ufeff", ""))
    return "".join(name.split())


def cell_count(line: str) -> int:
    """How many CSV cells one physical line holds (a quoted line break makes it count short, which is fine here)."""
    try:
        return len(next(csv.reader([line]), []))
    except csv.Error:
        return 0


def is_comment_line(lines: list[str], index: int) -> bool:
    """A leading '#' line is a comment, unless it is the header itself: 高松市's files start with
    「#property,latitude,longitude,name,…」, a line with as many cells as the row after it."""
    line = lines[index]
    if not line.lstrip().startswith("#"):
        return False
    cells = cell_count(line)
    following = next((l for l in lines[index + 1:] if l.strip() and not l.lstrip().startswith("#")), "")
    return cells < 2 or cells != cell_count(following)


def is_blank_row(cells: list[str]) -> bool:
    """True for a row with no data: every cell empty, or only the row number of an unfilled template row."""
    filled = [c.strip() for c in cells if c.strip()]
    return not filled or (len(filled) == 1 and cells[0].strip() == filled[0] and filled[0].isdigit())


def read_table(data: bytes) -> CsvTable:
    """Parse CSV bytes; leading '#' comment and blank lines are skipped but still counted in line numbers."""
    text, encoding = decode_bytes(data)
    lines = io.StringIO(text, newline="").readlines()
    skipped = 0
    while skipped < len(lines) and (not lines[skipped].strip() or is_comment_line(lines, skipped)):
        skipped += 1
    reader = csv.reader(lines[skipped:])
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    previous_end = 0
    for cells in reader:
        start_line = skipped + previous_end + 1
        previous_end = reader.line_num
        if not header:
            header = [normalize_header(c) for c in cells]
            header_line = start_line
            continue
        if is_blank_row(cells):
            continue  # blank rows (templates carry dozens of ",,,," or "2,,,,") are not data
        rows.append((start_line, cells))
    return CsvTable(header=header, rows=rows, encoding=encoding, header_line=header_line if header else 1)
