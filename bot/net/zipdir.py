"""Summarises a ZIP archive from its end records and central directory alone, never extracting."""

from __future__ import annotations

import dataclasses
import operator
import re
import struct
import sys
import time
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import repeat

# How a caller uses this module with HTTP Range requests (all ranges are end-exclusive here;
# the HTTP header is `Range: bytes=<start>-<end - 1>`):
#
# 1. Learn the file size N (HEAD, or `Content-Range` of any ranged GET) and fetch the tail,
#    the last `min(TAIL_BYTES, N)` bytes: range (N - len, N).
# 2. `zip64_record_range(tail, N)`: None means the tail holds everything, call
#    `find_directory(tail, N)`; a (start, end) pair means the ZIP64 end record lies before the
#    tail: fetch exactly that range and call `find_directory_zip64(tail, N, record)`.
#    (`find_directory` alone raises ZipProblem in that case, so it is always safe to call.)
# 3. `check_directory(directory, limits)` before downloading the central directory.
# 4. Fetch range (directory.offset, directory.offset + directory.size), at most
#    `limits.max_directory_bytes`, and call `summarise(directory_bytes, directory, limits)`.
#
# Every function raises ZipProblem, and only ZipProblem, for anything that is not a valid,
# acceptable archive. Messages contain numbers only, never names taken from the archive.

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record, 22 bytes
_LOCATOR = struct.Struct("<4sLQL")  # ZIP64 end of central directory locator, 20 bytes
_EOCD64 = struct.Struct("<4sQ2H2L4Q")  # ZIP64 end of central directory record, 56 bytes
# Central directory file header, 46 bytes; kept: signature, flags, compressed and uncompressed
# sizes, name, extra and comment lengths, start disk, local header offset.
_ENTRY = struct.Struct("<L4xH10x2L4H6xL")
_LENGTHS = struct.Struct("<3H")  # an entry's name, extra field and comment lengths
_LENGTHS_AT = 28  # where they are in its record
_EXTRA = struct.Struct("<2H")
_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<L")

_EOCD_SIG = b"PK\x05\x06"
_LOCATOR_SIG = b"PK\x06\x07"
_EOCD64_SIG = b"PK\x06\x06"
_ENTRY_SIG = 0x02014B50  # b"PK\x01\x02" read little-endian
_ZIP64_EXTRA = 0x0001
_MAX_COMMENT = 0xFFFF
_U16_MAX = 0xFFFF
_U32_MAX = 0xFFFF_FFFF
_LOCAL_HEADER = 30  # the smallest possible local file header
_UTF8_FLAG = 0x0800
_ENCRYPTED_FLAG = 0x0001
_MAX_EXTRA_BLOCKS = 16  # real writers use a handful; more is padding meant to slow us down
_MAX_TOP_LEVEL = 20
_MAX_EXTENSIONS = 32
_MAX_EXTENSION_BYTES = 10
_MAX_NAME_CHARS = 100

TAIL_BYTES: int = 22 + 65535 + 20 + 56
"""The most a tail read needs: an EOCD with a maximal comment, the ZIP64 locator and record."""


class ZipProblem(Exception):
    """The archive is not a zip file we accept; `message` tells the contributor why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclasses.dataclass(frozen=True)
class Directory:
    """Where the central directory is (absolute offset and size in bytes) and what it claims."""

    offset: int
    size: int
    entries: int
    zip64: bool


@dataclasses.dataclass(frozen=True)
class Limits:
    """What an archive may claim; `ratio_floor` is the unpacked size below which ratios are fine."""

    max_entries: int = 2_000_000
    # A directory of 10,000 images (`val/b1c66a42-6f7d68ca.jpg`, as Info-ZIP writes it, with
    # its time and owner fields) takes 950,074 bytes; 8 MiB is room for about 88,000 entries,
    # while the bytes held and the CPU spent on one archive stay small.
    max_directory_bytes: int = 8 * 1024 * 1024
    max_ratio: float = 200.0
    max_uncompressed: int = 2**40
    ratio_floor: int = 100 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class ZipSummary:
    """Totals over all entries; names are decoded, truncated and capped, never trusted."""

    entries: int
    compressed: int
    uncompressed: int
    largest: int
    zip64: bool
    folders: int = 0
    encrypted: int = 0
    top_level: tuple[str, ...] = ()
    """Distinct first path components in directory order ("det/" for a folder), at most 20."""
    extensions: tuple[tuple[str, int], ...] = ()
    """Files per lower-cased extension, most common first; "" = none, "*" = beyond 32 kinds."""

    @property
    def ratio(self) -> float:
        """Uncompressed over compressed size; infinite when nothing compressed unpacks to bytes."""
        if self.compressed:
            return self.uncompressed / self.compressed
        return float("inf") if self.uncompressed else 0.0


@dataclasses.dataclass(frozen=True)
class _End:
    """The end of central directory record, and where its ZIP64 record is if it has one."""

    tail_start: int
    eocd_at: int
    disk: int
    directory_disk: int
    disk_entries: int
    entries: int
    size: int
    offset: int
    record_at: int | None = None
    locator_at: int | None = None


def _bytes(count: int) -> str:
    """A byte count for people: "1.0 GiB (1,073,741,824 bytes)"."""
    if count < 1024:
        return f"{count:,} bytes"
    value = float(count)
    for unit in ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        value /= 1024
        if value < 1024 or unit == "EiB":
            break
    return f"{value:,.1f} {unit} ({count:,} bytes)"


def _find_end(tail: bytes, file_size: int) -> _End:
    """Find and check the EOCD record and, when present, the ZIP64 locator before it."""
    if file_size < _EOCD.size:
        raise ZipProblem(f"not a zip file: it is only {file_size:,} bytes long")
    wanted = min(TAIL_BYTES, file_size)
    if not wanted <= len(tail) <= file_size:
        raise ZipProblem(
            f"could not read the end of the archive: got {len(tail):,} bytes "
            f"instead of the last {wanted:,}"
        )
    tail_start = file_size - len(tail)
    lowest = max(0, len(tail) - _EOCD.size - _MAX_COMMENT)
    at = tail.rfind(_EOCD_SIG, lowest, len(tail) - _EOCD.size + len(_EOCD_SIG))
    # A signature inside the comment is skipped: the real record's comment reaches the end.
    while at >= 0:
        fields = _EOCD.unpack_from(tail, at)
        if at + _EOCD.size + fields[7] == len(tail):
            break
        at = tail.rfind(_EOCD_SIG, lowest, at + len(_EOCD_SIG) - 1)
    else:
        raise ZipProblem("not a zip file: no end-of-central-directory record in the last 64 KiB")
    _, disk, directory_disk, disk_entries, entries, size, offset, _ = fields
    end = _End(
        tail_start, tail_start + at, disk, directory_disk, disk_entries, entries, size, offset
    )
    locator = at - _LOCATOR.size
    if locator < 0 or tail[locator : locator + 4] != _LOCATOR_SIG:
        return end
    _, record_disk, record_at, disks = _LOCATOR.unpack_from(tail, locator)
    if record_disk != 0 or disks > 1:
        raise ZipProblem("multi-disk (split or spanned) archives are not supported")
    locator_at = tail_start + locator
    if record_at + _EOCD64.size > locator_at:
        raise ZipProblem(
            f"corrupt zip file: the ZIP64 locator points at offset {record_at:,}, "
            f"too close to its own position {locator_at:,}"
        )
    return dataclasses.replace(end, record_at=record_at, locator_at=locator_at)


def _directory(end: _End, offset: int, size: int, entries: int, *, zip64: bool) -> Directory:
    """Check the directory ends exactly where the end records begin, as every writer puts it."""
    end_at = end.record_at if end.record_at is not None else end.eocd_at
    if offset + size > end_at:
        hint = ""
        if not zip64 and _U32_MAX in (offset, size):
            hint = " (the end record says ZIP64 but there is no ZIP64 locator)"
        raise ZipProblem(
            f"corrupt zip file: the central directory (offset {offset:,}, {size:,} bytes) "
            f"runs past the end record at offset {end_at:,}{hint}"
        )
    if offset + size < end_at:
        raise ZipProblem(
            f"unsupported zip file: {end_at - offset - size:,} unexplained bytes between the "
            "central directory and the end record (data prepended to the archive, or a "
            "crafted archive)"
        )
    return Directory(offset=offset, size=size, entries=entries, zip64=zip64)


def _plain(end: _End) -> Directory:
    """The directory described by a classic EOCD record."""
    if end.disk != 0 or end.directory_disk != 0 or end.disk_entries != end.entries:
        raise ZipProblem("multi-disk (split or spanned) archives are not supported")
    return _directory(end, end.offset, end.size, end.entries, zip64=False)


def _zip64(end: _End, record: bytes | memoryview) -> Directory:
    """The directory described by a ZIP64 EOCD record, checked against the classic one."""
    assert end.record_at is not None and end.locator_at is not None
    if len(record) < _EOCD64.size:
        raise ZipProblem(
            f"could not read the ZIP64 end record: got {len(record):,} bytes "
            f"instead of {_EOCD64.size}"
        )
    (sig, record_size, _, _, disk, directory_disk, disk_entries, entries, size, offset) = (
        _EOCD64.unpack_from(record, 0)
    )
    if sig != _EOCD64_SIG:
        raise ZipProblem(
            f"corrupt zip file: no ZIP64 end record at offset {end.record_at:,} "
            "where the ZIP64 locator points"
        )
    if end.record_at + 12 + record_size != end.locator_at:
        raise ZipProblem(
            "corrupt zip file: the ZIP64 end record's length does not reach the ZIP64 locator"
        )
    if disk != 0 or directory_disk != 0 or disk_entries != entries:
        raise ZipProblem("multi-disk (split or spanned) archives are not supported")
    # Fields that fit in the classic record must agree with the ZIP64 ones; a reader that
    # trusts one record must not see another archive than a reader that trusts the other.
    for name, classic, full, saturated in (
        ("disk number", end.disk, disk, _U16_MAX),
        ("directory disk", end.directory_disk, directory_disk, _U16_MAX),
        ("entries on this disk", end.disk_entries, disk_entries, _U16_MAX),
        ("entry count", end.entries, entries, _U16_MAX),
        ("directory size", end.size, size, _U32_MAX),
        ("directory offset", end.offset, offset, _U32_MAX),
    ):
        if classic not in (saturated, full):
            raise ZipProblem(
                f"corrupt zip file: the end record and the ZIP64 end record disagree on the "
                f"{name} ({classic:,} vs {full:,})"
            )
    return _directory(end, offset, size, entries, zip64=True)


def zip64_record_range(tail: bytes, file_size: int) -> tuple[int, int] | None:
    """The absolute range [start, end) of a ZIP64 end record that lies before `tail`, or None.

    None when the archive has no ZIP64 record or the tail already holds it (`find_directory`
    then suffices). Otherwise fetch exactly this range and call `find_directory_zip64`.
    """
    end = _find_end(tail, file_size)
    if end.record_at is None or end.record_at >= end.tail_start:
        return None
    return end.record_at, end.record_at + _EOCD64.size


def find_directory(tail: bytes, file_size: int) -> Directory:
    """Locate the central directory from `tail`, the last `min(TAIL_BYTES, file_size)` bytes."""
    end = _find_end(tail, file_size)
    if end.record_at is None:
        return _plain(end)
    if end.record_at < end.tail_start:
        raise ZipProblem(
            f"the ZIP64 end record at offset {end.record_at:,} is outside the last "
            f"{len(tail):,} bytes; fetch the range given by zip64_record_range"
        )
    start = end.record_at - end.tail_start
    return _zip64(end, memoryview(tail)[start : start + _EOCD64.size])


def find_directory_zip64(tail: bytes, file_size: int, record: bytes) -> Directory:
    """Like `find_directory`, with `record` the bytes of the range `zip64_record_range` gave."""
    end = _find_end(tail, file_size)
    if end.record_at is None:
        return _plain(end)
    if len(record) != _EOCD64.size:
        raise ZipProblem(
            f"could not read the ZIP64 end record: got {len(record):,} bytes "
            f"instead of {_EOCD64.size}"
        )
    return _zip64(end, record)


def check_directory(directory: Directory, limits: Limits) -> None:
    """Refuse, before it is downloaded, a directory too large or claiming too many entries."""
    entries, size = directory.entries, directory.size
    if entries > limits.max_entries:
        raise ZipProblem(
            f"the archive claims {entries:,} entries; at most {limits.max_entries:,} are allowed"
        )
    if size > limits.max_directory_bytes:
        raise ZipProblem(
            f"the archive's central directory is {_bytes(size)}; "
            f"at most {_bytes(limits.max_directory_bytes)} is allowed"
        )
    if entries * _ENTRY.size > size:
        raise ZipProblem(
            f"corrupt zip file: the archive claims {entries:,} entries but its central "
            f"directory of {size:,} bytes has room for at most {size // _ENTRY.size:,}"
        )
    if entries == 0 and size > 0:
        raise ZipProblem(
            f"corrupt zip file: the archive claims no entries but has a {size:,}-byte "
            "central directory"
        )


def _zip64_extra(view: memoryview, at: int, length: int, sizes: list[int], number: int) -> bool:
    """Replace saturated [uncompressed, compressed, offset, disk] from the ZIP64 extra field."""
    end = at + length
    blocks = 0
    while end - at >= _EXTRA.size:  # like zipfile, up to 3 trailing bytes are ignored
        blocks += 1
        if blocks > _MAX_EXTRA_BLOCKS:
            raise ZipProblem(f"entry {number:,} has more than {_MAX_EXTRA_BLOCKS} extra fields")
        tag, size = _EXTRA.unpack_from(view, at)
        data, at = at + _EXTRA.size, at + _EXTRA.size + size
        if at > end:
            raise ZipProblem(f"corrupt zip file: entry {number:,} has a truncated extra field")
        if tag != _ZIP64_EXTRA:
            continue
        for index, (saturated, field) in enumerate(
            ((_U32_MAX, _U64), (_U32_MAX, _U64), (_U32_MAX, _U64), (_U16_MAX, _U32))
        ):
            if sizes[index] != saturated:
                continue
            if data + field.size > at:
                raise ZipProblem(
                    f"corrupt zip file: entry {number:,} has a ZIP64 extra field too short "
                    "for the sizes it must hold"
                )
            (sizes[index],) = field.unpack_from(view, data)
            data += field.size
        return True  # the first ZIP64 field wins, as in zipfile
    return False


def _decode(name: bytes, flags: int) -> str:
    """A name for display: UTF-8 when flagged, else code page 437 (as zipfile), truncated."""
    clipped = name[: _MAX_NAME_CHARS * 4]
    text = clipped.decode("utf-8", "replace") if flags & _UTF8_FLAG else clipped.decode("cp437")
    return text[:_MAX_NAME_CHARS]


def _overlap(number: int, other: int, at: int) -> ZipProblem:
    return ZipProblem(
        f"entries {min(number, other):,} and {max(number, other):,} overlap in the file "
        f"(around offset {at:,}): overlapping entries are a zip bomb technique"
    )


def summarise(
    directory_bytes: bytes | bytearray | memoryview,
    directory: Directory,
    limits: Limits,
    deadline: float | None = None,
) -> ZipSummary:
    """Parse the central directory at `directory` and refuse bombs, overlaps and corruption.

    `deadline` (`time.monotonic()`): past it the parse stops with ZipProblem, so that a parse
    whose caller gave up does not keep running."""
    check_directory(directory, limits)
    # Names are searched in place (bytes.find with bounds); other buffers are copied once.
    data = directory_bytes if isinstance(directory_bytes, bytes) else bytes(directory_bytes)
    view = memoryview(data)
    size = directory.size
    if view.nbytes != size:
        raise ZipProblem(
            f"could not read the central directory: got {view.nbytes:,} bytes instead of {size:,}"
        )
    _in_time(deadline)
    regular = _summarise_regular(data, view, directory, limits, deadline)
    if regular is not None:
        return regular
    return _summarise_exact(data, view, directory, limits, deadline)


def _summarise_exact(
    data: bytes,
    view: memoryview,
    directory: Directory,
    limits: Limits,
    deadline: float | None,
) -> ZipSummary:
    """The directory read entry by entry: says which entry is wrong, and how."""
    size = directory.size
    compressed = uncompressed = largest = folders = encrypted = 0
    zip64 = directory.zip64
    top_level: dict[bytes, str] = {}
    extensions: dict[bytes, int] = {}
    starts, stops = array("Q"), array("Q")  # each entry's extent, to find overlaps
    previous_start = previous_stop = 0
    ordered = True
    number = pos = 0
    # Hot loop: up to millions of records, so attributes and globals are read into locals.
    claimed, directory_at = directory.entries, directory.offset
    max_extension = _MAX_EXTENSION_BYTES + 1  # the dot included
    u32, u16, entry_sig, encrypted_flag = _U32_MAX, _U16_MAX, _ENTRY_SIG, _ENCRYPTED_FLAG
    local_header = _LOCAL_HEADER
    floor, max_ratio, max_total = limits.ratio_floor, limits.max_ratio, limits.max_uncompressed
    unpack, record_size, add_start, add_stop = (
        _ENTRY.unpack_from,
        _ENTRY.size,
        starts.append,
        stops.append,
    )
    while pos < size:
        if number == claimed:
            raise ZipProblem(
                f"corrupt zip file: the central directory holds more than the "
                f"{directory.entries:,} entries the end record claims"
            )
        number += 1
        if not number & 0x3FF and deadline is not None and time.monotonic() > deadline:
            raise ZipProblem(
                f"the central directory was not read within the link's deadline "
                f"({number:,} of {claimed:,} entries)"
            )
        if pos + record_size > size:
            raise ZipProblem(f"corrupt zip file: entry {number:,} is truncated")
        (sig, flags, csize, usize, name_len, extra_len, comment_len, disk, offset) = unpack(
            view, pos
        )
        if sig != entry_sig:
            raise ZipProblem(
                f"corrupt zip file: entry {number:,} of the central directory has a bad signature"
            )
        name_at = pos + record_size
        extra_at = name_at + name_len
        pos = extra_at + extra_len + comment_len
        if pos > size:
            raise ZipProblem(f"corrupt zip file: entry {number:,} is truncated")
        if usize == u32 or csize == u32 or offset == u32 or disk == u16:  # noqa: PLR1714 (hot loop: no tuple)
            fields = [usize, csize, offset, disk]
            if _zip64_extra(view, extra_at, extra_len, fields, number):
                zip64 = True
                usize, csize, offset, disk = fields
        if disk != 0:
            raise ZipProblem("multi-disk (split or spanned) archives are not supported")

        name = data[name_at:extra_at]
        if name[-1:] == b"/":
            if usize or csize:
                raise ZipProblem(
                    f"corrupt zip file: entry {number:,} is a folder but claims "
                    f"{max(usize, csize):,} bytes of content"
                )
            folders += 1
        else:
            # The extension of the base name; not a hidden file's leading dot.
            dot = name.rfind(b".", name.rfind(b"/") + 2)
            extension = name[dot:].lower() if 0 <= dot >= name_len - max_extension else b""
            seen = extensions.get(extension)
            if seen is None:
                if len(extensions) >= _MAX_EXTENSIONS:
                    extension = b"*"
                seen = extensions.get(extension, 0)
            extensions[extension] = seen + 1
        slash = name.find(b"/")
        top = name if slash < 0 else name[: slash + 1]
        if top not in top_level and len(top_level) < _MAX_TOP_LEVEL:
            top_level[top] = _decode(top, flags)
        if flags & encrypted_flag:
            encrypted += 1

        if usize > floor and usize > max_ratio * csize:
            ratio = "infinite" if csize == 0 else f"{usize / csize:,.0f}:1"
            raise ZipProblem(
                f"entry {number:,} unpacks to {_bytes(usize)} from {_bytes(csize)} "
                f"(ratio {ratio}, the limit is {limits.max_ratio:,.0f}:1): a zip bomb"
            )
        compressed += csize
        uncompressed += usize
        if usize > largest:  # noqa: PLR1730 (hot loop: no call)
            largest = usize
        if uncompressed > max_total:
            raise ZipProblem(
                f"the archive would unpack to more than {_bytes(limits.max_uncompressed)}"
                f" (at least {_bytes(uncompressed)} by entry {number:,})"
            )

        # An entry occupies at least a minimal local header plus its compressed data, all of
        # it before the central directory and apart from every other entry.
        stop = offset + local_header + csize
        if stop > directory_at:
            raise ZipProblem(
                f"corrupt zip file: entry {number:,} (local header at offset {offset:,}, "
                f"{csize:,} bytes compressed) extends past the start of the central "
                f"directory at offset {directory.offset:,}"
            )
        if number > 1 and previous_start <= offset < previous_stop:
            raise _overlap(number - 1, number, offset)
        if offset < previous_start:
            ordered = False
        previous_start, previous_stop = offset, stop
        add_start(offset)
        add_stop(stop)

    if number != directory.entries:
        raise ZipProblem(
            f"corrupt zip file: the end record claims {directory.entries:,} entries "
            f"but the central directory holds {number:,}"
        )
    if not ordered:  # in file order, the check against the previous entry sufficed
        reach = reach_index = -1
        for index in sorted(range(number), key=starts.__getitem__):
            if starts[index] < reach:
                raise _overlap(reach_index + 1, index + 1, starts[index])
            if stops[index] > reach:
                reach, reach_index = stops[index], index
    if uncompressed > limits.ratio_floor and uncompressed > limits.max_ratio * compressed:
        ratio = "infinite" if compressed == 0 else f"{uncompressed / compressed:,.0f}:1"
        raise ZipProblem(
            f"the archive unpacks to {_bytes(uncompressed)} from {_bytes(compressed)} "
            f"(ratio {ratio}, the limit is {limits.max_ratio:,.0f}:1): a zip bomb"
        )
    return _summary(
        ZipSummary(number, compressed, uncompressed, largest, zip64, folders, encrypted),
        top_level,
        extensions,
    )


def _summary(
    totals: ZipSummary, top_level: Mapping[bytes, str], extensions: Mapping[bytes, int]
) -> ZipSummary:
    """`totals` with the names: the top-level ones decoded, the extensions most common first."""
    ranked = sorted(extensions.items(), key=lambda item: (-item[1], item[0]))
    return dataclasses.replace(
        totals,
        top_level=tuple(top_level.values()),
        extensions=tuple((ext.decode("utf-8", "replace"), count) for ext, count in ranked),
    )


def _summarise_regular(
    data: bytes,
    view: memoryview,
    directory: Directory,
    limits: Limits,
    deadline: float | None = None,
) -> ZipSummary | None:
    """The summary of an ordinary archive, read field by field over all entries at once (about
    five times faster than entry by entry); None when anything is unusual (ZIP64 fields,
    another disk, a bad record, a bomb, entries out of order or overlapping, more than 32 kinds
    of extensions): `_summarise_exact` then reads it and says what is wrong."""
    columns = _regular_columns(data, directory, deadline)
    if columns is None:
        return None
    count = directory.entries
    usizes, csizes, offsets = columns.usizes, columns.csizes, columns.offsets
    if (
        columns.signatures.count(_ENTRY_SIG) != count
        or _U32_MAX in usizes
        or _U32_MAX in csizes
        or _U32_MAX in offsets
        or any(columns.disks)
    ):
        return None
    _in_time(deadline)
    # The names, each followed by a NUL (none may hold one here), are searched at once.
    joined = bytes(columns.names)
    if joined.count(b"\0") != count:
        return None
    folders = joined.count(b"/\0")
    if folders and any(
        usize or csize
        for name, usize, csize in zip(joined[:-1].split(b"\0"), usizes, csizes, strict=True)
        if name[-1:] == b"/"
    ):
        return None
    largest = max(usizes)
    floor, max_ratio = limits.ratio_floor, limits.max_ratio
    if largest > floor and any(
        usize > floor and usize > max_ratio * csize
        for usize, csize in zip(usizes, csizes, strict=True)
    ):
        return None
    _in_time(deadline)
    compressed, uncompressed = sum(csizes), sum(usizes)
    if uncompressed > limits.max_uncompressed:
        return None
    if uncompressed > floor and uncompressed > max_ratio * compressed:
        return None
    # Each entry (its local header and data) ends before the next one starts and before the
    # directory: in file order and apart (anything else is for the exact reader to explain).
    _in_time(deadline)
    ends = list(map(operator.add, offsets, csizes))
    if max(ends) + _LOCAL_HEADER > directory.offset or not all(
        map(operator.le, ends, map(operator.sub, offsets[1:], repeat(_LOCAL_HEADER)))
    ):
        return None
    # A file's extension: the last dot of its base name (not the first character) and up to
    # ten bytes after it; a folder's name ends with "/", so it has none.
    _in_time(deadline)
    found: Counter[bytes] = Counter()
    for extension, seen in Counter(_EXTENSION.findall(joined)).items():
        found[extension.lower()] += seen
    files = count - folders
    if files > found.total():
        found[b""] = files - found.total()
    if len(found) > _MAX_EXTENSIONS:  # which kinds came first decides what "*" holds
        return None
    _in_time(deadline)
    first = joined[: joined.find(b"\0")]
    top = first[: first.find(b"/") + 1] or first
    if top[-1:] == b"/" and joined.count(b"\0" + top) == count - 1:
        top_level = {top: _decode(top, columns.flags[0])}  # one folder holds everything
    else:
        top_level = _top_level(joined[:-1].split(b"\0"), columns.flags)
    encrypted = sum(map(_ENCRYPTED_FLAG.__and__, columns.flags))
    return _summary(
        ZipSummary(count, compressed, uncompressed, largest, directory.zip64, folders, encrypted),
        top_level,
        found,
    )


# A literal first: the search skips from dot to dot.
_EXTENSION = re.compile(rb"\.(?<=[^/\0]\.)[^./\0]{0,10}(?=\0)")  # 10: _MAX_EXTENSION_BYTES


def _in_time(deadline: float | None) -> None:
    """Raise past `deadline` (time.monotonic()): the caller has stopped waiting."""
    if deadline is not None and time.monotonic() > deadline:
        raise ZipProblem("the central directory was not read within the link's deadline")


def _top_level(names: Sequence[bytes], flags: Sequence[int]) -> dict[bytes, str]:
    """The first distinct first path components ("det/" for a folder), up to 20, decoded."""
    top_level: dict[bytes, str] = {}
    for name, flag in zip(names, flags, strict=True):
        slash = name.find(b"/")
        top = name if slash < 0 else name[: slash + 1]
        if top not in top_level:
            top_level[top] = _decode(top, flag)
            if len(top_level) == _MAX_TOP_LEVEL:
                break
    return top_level


@dataclasses.dataclass
class _Columns:
    """One field of every entry of a directory, per field, in directory order."""

    signatures: array[int]
    flags: array[int]
    csizes: array[int]
    usizes: array[int]
    disks: array[int]
    offsets: array[int]
    names: bytearray
    """Every name followed by a NUL."""

    def fields(self) -> tuple[array[int], ...]:
        """The numeric columns, in the order of _FIELDS."""
        return (self.signatures, self.flags, self.csizes, self.usizes, self.disks, self.offsets)


# Where each column's field is in an entry's record, and its width in bytes.
_FIELDS = ((0, 4), (8, 2), (20, 4), (24, 4), (34, 2), (42, 4))
_MAX_RUNS = 64  # runs of records of one size beyond an eighth of the entries


def _regular_columns(
    data: bytes, directory: Directory, deadline: float | None = None
) -> _Columns | None:
    """Every entry's fields; None unless the directory is exactly the claimed number of whole
    records, in few runs of records of one size (names of one length and the same extra
    fields: most archives are one run, or a folder entry and then one run). Each run is read
    a field at a time, with strided slices."""
    size, claimed = directory.size, directory.entries
    if claimed == 0:
        return None
    signatures, flags, csizes, usizes, disks, offsets = (
        array(_ARRAY_CODES[width]) for _, width in _FIELDS
    )
    columns = _Columns(signatures, flags, csizes, usizes, disks, offsets, bytearray())
    pos = entries = runs = 0
    while pos < size:
        runs += 1
        if runs > _MAX_RUNS + claimed // 8 or pos + _ENTRY.size > size:
            return None
        name_len, extra_len, comment_len = _LENGTHS.unpack_from(data, pos + _LENGTHS_AT)
        record = _ENTRY.size + name_len + extra_len + comment_len
        run = _run_length(data, pos, record, (size - pos) // record)
        if run == 0 or entries + run > claimed:
            return None
        stop = pos + run * record
        for (at, width), column in zip(_FIELDS, columns.fields(), strict=True):
            packed = bytearray(width * run)
            for byte in range(width):
                packed[byte::width] = data[pos + at + byte : stop : record]
            column.frombytes(packed)
            _in_time(deadline)
        names = bytearray((name_len + 1) * run)  # each name followed by a NUL
        for byte in range(name_len):
            names[byte :: name_len + 1] = data[pos + _ENTRY.size + byte : stop : record]
        columns.names += names
        pos, entries = stop, entries + run
    if entries != claimed:
        return None
    if sys.byteorder == "big":
        for column in columns.fields():
            column.byteswap()
    return columns


def _run_length(data: bytes, pos: int, record: int, fit: int) -> int:
    """How many records from `pos` on have the lengths of the first (so `record` bytes each),
    among the `fit` that would fit. Looks ahead in growing windows: linear in the answer."""
    lengths = range(pos + _LENGTHS_AT, pos + _LENGTHS_AT + _LENGTHS.size)
    run, window = 0, 32
    while run < fit:
        ahead = min(fit, run + window)
        same = ahead - run
        for at in lengths:
            column = data[at + run * record : at + ahead * record : record]
            same = min(same, len(column) - len(column.lstrip(data[at : at + 1])))
        run += same
        if run < ahead:
            break
        window *= 4
    return run


_ARRAY_CODES = {2: "H", 4: "I"}  # unsigned 16 and 32 bits (checked below)
assert array("H").itemsize == 2 and array("I").itemsize == 4
