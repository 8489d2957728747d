"""Reading order for the Decree 30 layout: side-by-side blocks are read left column first, then right.

Tesseract often reads the two-column header (agency | national motto) and footer (recipients | signer)
as single lines running across both columns. A line with a gap of several character heights is split
there, and a run of such lines forms a two-column zone whose left column is read before its right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import pairwise

from pipeline.tesseract import Word, lines_of

#: A gap wider than this many line heights separates columns, not words.
COLUMN_GAP_IN_LINE_HEIGHTS = 2.0


@dataclass(frozen=True)
class Segment:
    """Consecutive words of one line with no column gap between them."""

    words: tuple[Word, ...]
    source_block: int

    @property
    def left(self) -> int:
        return self.words[0].left

    @property
    def right(self) -> int:
        return max(w.left + w.width for w in self.words)


def line_segments(words: Iterable[Word], noise: Callable[[Word], bool] = lambda _: False) -> list[list[Segment]]:
    """Tesseract's lines, each cut into segments at column-sized gaps, without the `noise` words.

    Gaps are measured with the noise still in place: a dropped smudge must not open a column gap.
    """
    lines: list[list[Segment]] = []
    for group in lines_of(words):
        block, line = group[0].block, sorted(group, key=lambda w: w.left)
        height = max(w.height for w in line)
        runs: list[list[Word]] = [[line[0]]]
        for previous, word in pairwise(line):
            if word.left - (previous.left + previous.width) > COLUMN_GAP_IN_LINE_HEIGHTS * height:
                runs.append([])
            runs[-1].append(word)
        segments = [Segment(tuple(kept), block) for run in runs if (kept := [w for w in run if not noise(w)])]
        if segments:
            lines.append(segments)
    return lines


def reading_order(words: list[Word], noise: Callable[[Word], bool] = lambda _: False) -> list[Word]:
    """The words, less `noise`, reordered so two-column zones read column by column; ids renumbered.

    Every output line is one segment, and each column of a zone is a block of its own, so the text
    assembled from the words and the PDF text layer both follow this order.
    """
    lines = line_segments(words, noise)
    zones = {zone.start: zone for zone in _two_column_zones(lines)}
    blocks: list[list[Segment]] = []
    i = 0
    while i < len(lines):
        if i in zones:
            zone = zones[i]
            segments = [segment for line in lines[zone.start : zone.end] for segment in line]
            blocks += [[s for s in segments if zone.column_of(s) == column] for column in (0, 1)]
            blocks.append([])
            i = zone.end
            continue
        if not blocks or (blocks[-1] and blocks[-1][-1].source_block != lines[i][0].source_block):
            blocks.append([])
        blocks[-1].extend(lines[i])
        i += 1
    return [
        replace(word, block=block_no, paragraph=1, line=line_no)
        for block_no, block in enumerate((b for b in blocks if b), start=1)
        for line_no, segment in enumerate(block, start=1)
        for word in segment.words
    ]


@dataclass
class Zone:
    """Lines start..end read as two columns; the right column begins at `boundary`."""

    start: int
    end: int
    boundary: int
    tolerance: int

    def column_of(self, segment: Segment) -> int | None:
        """0 for a segment that ends before the right column, 1 for one inside it, None for one spanning both."""
        if segment.right < self.boundary:
            return 0
        if segment.left >= self.boundary - self.tolerance:
            return 1
        return None

    def takes(self, line: list[Segment]) -> bool:
        if len(line) == 1:
            return self.column_of(line[0]) is not None
        return len(line) == 2 and self.column_of(line[0]) == 0 and self.column_of(line[1]) == 1


def _two_column_zones(lines: list[list[Segment]]) -> list[Zone]:
    """Every run of lines that sits in two columns around at least one split line."""
    zones: list[Zone] = []
    previous_end = i = 0
    while i < len(lines):
        line = lines[i]
        if len(line) != 2 or line[0].right >= line[1].left:
            i += 1
            continue
        height = max(w.height for segment in line for w in segment.words)
        zone = Zone(start=i, end=i, boundary=line[1].left, tolerance=4 * height)
        # Column lines just above the first split line (a signer's title set higher than
        # "Nơi nhận:") belong to the zone too.
        while zone.start > previous_end and len(lines[zone.start - 1]) == 1 and zone.takes(lines[zone.start - 1]):
            zone.start -= 1
        while zone.end < len(lines) and zone.takes(lines[zone.end]):
            if len(lines[zone.end]) == 2:
                zone.boundary = min(zone.boundary, lines[zone.end][1].left)
            zone.end += 1
        zones.append(zone)
        previous_end = i = zone.end
    return zones
