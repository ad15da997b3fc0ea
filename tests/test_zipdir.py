"""The zip directory reader: real archives match zipfile, crafted bombs and corruption are refused."""

from __future__ import annotations

import functools
import io
import random
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.net import zipdir
from bot.net.zipdir import (
    TAIL_BYTES,
    Directory,
    Limits,
    ZipProblem,
    ZipSummary,
    check_directory,
    find_directory,
    find_directory_zip64,
    summarise,
    zip64_record_range,
)

CD_HEADER = struct.Struct("<4s6H3L5H2L")
EOCD = struct.Struct("<4s4H2LH")
LOCATOR = struct.Struct("<4sLQL")
EOCD64 = struct.Struct("<4sQ2H2L4Q")
U16 = 0xFFFF
U32 = 0xFFFF_FFFF
MiB = 1024 * 1024
GiB = 1024 * MiB
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Fetch = Callable[[int, int], bytes]


# --- two readers, one answer ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def readers_agree(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every directory summarised in this module is read by both readers: the column-wise one
    either declines (None) or gives exactly what the entry-by-entry one gives, and it never
    accepts what the entry-by-entry one refuses. Yields, per read, whether it was taken."""
    regular = zipdir._summarise_regular
    taken: list[bool] = []

    def both(*args: Any) -> ZipSummary | None:
        fast = regular(*args)  # data, view, directory, limits[, deadline]
        try:
            exact = zipdir._summarise_exact(*args[:4], None)
        except ZipProblem as problem:
            assert fast is None, f"the column-wise reader accepts what is refused: {problem}"
        else:
            assert fast in (None, exact)
        taken.append(fast is not None)
        return fast

    monkeypatch.setattr(zipdir, "_summarise_regular", both)
    return taken


# --- the caller's side: how the bot uses the module with HTTP Range requests -------------------


def read_archive(fetch: Fetch, size: int, limits: Limits | None = None) -> ZipSummary:
    """The documented flow; `fetch(start, end)` stands for `Range: bytes=start-(end - 1)`."""
    limits = limits or Limits()
    tail = fetch(max(0, size - TAIL_BYTES), size)
    where = zip64_record_range(tail, size)
    if where is None:
        directory = find_directory(tail, size)
    else:
        directory = find_directory_zip64(tail, size, fetch(*where))
    check_directory(directory, limits)
    directory_bytes = fetch(directory.offset, directory.offset + directory.size)
    return summarise(directory_bytes, directory, limits)


def fetch_from(data: bytes) -> Fetch:
    def fetch(start: int, end: int) -> bytes:
        assert 0 <= start <= end <= len(data)
        return data[start:end]

    return fetch


def read_bytes(data: bytes, limits: Limits | None = None) -> ZipSummary:
    return read_archive(fetch_from(data), len(data), limits)


# --- real archives written by zipfile ---------------------------------------------------------


def make_zip(
    files: list[tuple[str, bytes]],
    *,
    method: int = zipfile.ZIP_DEFLATED,
    comment: bytes = b"",
    force_zip64: bool = False,
    folders: tuple[str, ...] = (),
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method, allowZip64=True) as archive:
        for folder in folders:
            archive.mkdir(folder)
        for name, data in files:
            info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            info.compress_type = method
            with archive.open(info, "w", force_zip64=force_zip64) as stream:
                stream.write(data)
        archive.comment = comment
    return buffer.getvalue()


def expected(data: bytes) -> tuple[int, int, int, int]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    return (
        len(infos),
        sum(info.compress_size for info in infos),
        sum(info.file_size for info in infos),
        max((info.file_size for info in infos), default=0),
    )


def numbers(summary: ZipSummary) -> tuple[int, int, int, int]:
    return summary.entries, summary.compressed, summary.uncompressed, summary.largest


@functools.cache
def mixed_zip() -> bytes:
    rng = random.Random(7)
    files = [
        ("det/labels.json", b'{"frames": []}' * 500),
        ("det/random.bin", rng.randbytes(3000)),
        ("vis/0001.png", b"\x89PNG" + bytes(1000)),
        ("vis/0002.png", b"\x89PNG" + bytes(2000)),
        ("README", b"predictions for the zoo\n"),
    ]
    return make_zip(files, folders=("empty",), comment=b"made for the tests")


@functools.cache
def many_entries_zip() -> bytes:
    """More than 65,535 entries: zipfile must write a ZIP64 end record."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index in range(65_540):
            archive.writestr(zipfile.ZipInfo(f"p/{index}.txt", (2024, 1, 1, 0, 0, 0)), b"")
    return buffer.getvalue()


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
@pytest.mark.parametrize("force_zip64", [False, True])
def test_real_archives_match_zipfile(method: int, force_zip64: bool) -> None:
    rng = random.Random(method * 2 + force_zip64)
    files = [(f"run/{i:04d}.json", rng.randbytes(rng.randrange(0, 400)) * 3) for i in range(300)]
    data = make_zip(files, method=method, force_zip64=force_zip64, folders=("run", "run/sub"))
    summary = read_bytes(data)
    assert numbers(summary) == expected(data)
    assert summary.folders == 2
    assert summary.top_level == ("run/",)
    assert summary.extensions == ((".json", 300),)
    assert summary.encrypted == 0


def test_mixed_archive_summary() -> None:
    data = mixed_zip()
    summary = read_bytes(data)
    assert numbers(summary) == expected(data)
    assert summary.top_level == ("empty/", "det/", "vis/", "README")
    assert summary.extensions == ((".png", 2), ("", 1), (".bin", 1), (".json", 1))
    assert not summary.zip64
    assert summary.ratio == summary.uncompressed / summary.compressed


def test_empty_archive() -> None:
    data = make_zip([])
    assert len(data) == 22
    assert find_directory(data, len(data)) == Directory(offset=0, size=0, entries=0, zip64=False)
    summary = read_bytes(data)
    assert numbers(summary) == (0, 0, 0, 0)
    assert summary.ratio == 0.0


def test_more_than_65535_entries_uses_zip64() -> None:
    data = many_entries_zip()
    tail = data[-TAIL_BYTES:]
    directory = find_directory(tail, len(data))
    assert directory.zip64
    assert directory.entries == 65_540
    assert zip64_record_range(tail, len(data)) is None  # the record is in the tail
    summary = read_bytes(data)
    assert numbers(summary) == expected(data)
    assert summary.zip64
    assert summary.extensions == ((".txt", 65_540),)


def test_data_descriptors_from_an_unseekable_stream() -> None:
    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.buffer = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, data: bytes) -> int:  # type: ignore[override]
            self.buffer += data
            return len(data)

    stream = Unseekable()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(20):
            archive.writestr(f"stream/{index}.txt", b"line\n" * (index + 1) * 50)
    data = bytes(stream.buffer)
    assert numbers(read_bytes(data)) == expected(data)


def test_small_deflated_text_may_exceed_the_ratio() -> None:
    """A 1 MB text file compressing 1000:1 is fine: ratios only matter above 100 MiB."""
    data = make_zip([("notes.txt", b"a" * 1_000_000)])
    summary = read_bytes(data)
    assert summary.ratio > 200
    assert numbers(summary) == expected(data)
    with pytest.raises(ZipProblem, match="zip bomb"):
        read_bytes(data, Limits(ratio_floor=100_000))


def test_utf8_and_cp437_names() -> None:
    data = make_zip([("résumé/ü.TXT", b"x"), ("plain/a.txt", b"y")])
    summary = read_bytes(data)
    assert summary.top_level == ("résumé/", "plain/")
    assert summary.extensions == ((".txt", 2),)
    legacy = craft([Entry(b"caf\x82/x.txt", 0), Entry(b"\xff" * 300, 100)]).read()
    assert legacy.top_level == ("café/", "\xa0" * 100)


# --- the tail --------------------------------------------------------------------------------


def test_tail_bytes() -> None:
    assert TAIL_BYTES == 22 + 65535 + 20 + 56 == 65_633


def test_small_file_tail_is_the_whole_file() -> None:
    data = make_zip([("a.txt", b"hello")])
    assert len(data) < TAIL_BYTES
    directory = find_directory(data, len(data))
    assert directory.entries == 1
    with pytest.raises(ZipProblem, match="could not read the end"):
        find_directory(data[10:], len(data))
    with pytest.raises(ZipProblem, match="could not read the end"):
        find_directory(data, len(data) - 1)
    with pytest.raises(ZipProblem, match="only 5 bytes"):
        find_directory(data[-5:], 5)


def test_not_a_zip() -> None:
    data = random.Random(1).randbytes(200_000).replace(b"PK", b"pk")
    with pytest.raises(ZipProblem) as caught:
        find_directory(data[-TAIL_BYTES:], len(data))
    assert caught.value.message == (
        "not a zip file: no end-of-central-directory record in the last 64 KiB"
    )


@pytest.mark.parametrize(
    "comment",
    [
        b"PK\x05\x06",
        b"see PK\x05\x06" + bytes(18) + b" inside",
        b"PK\x05\x06" * 16_000,
        # A complete, plausible EOCD in the comment whose comment length does not fit.
        EOCD.pack(b"PK\x05\x06", 0, 0, 1, 1, 10, 0, 3) + b"..",
        b"x" * 65_535,
    ],
)
def test_signature_hidden_in_the_comment(comment: bytes) -> None:
    files = [("a.txt", b"hello"), ("b.txt", b"world")]
    data = make_zip(files, comment=comment)
    directory = find_directory(data[-TAIL_BYTES:], len(data))
    assert directory.entries == 2
    # zipfile itself gives up on some of these (it takes the last signature it sees).
    assert numbers(read_bytes(data)) == expected(make_zip(files))


def test_trailing_bytes_after_the_comment_are_refused() -> None:
    data = make_zip([("a.txt", b"hello")]) + b"junk"
    with pytest.raises(ZipProblem, match="no end-of-central-directory"):
        find_directory(data, len(data))


def test_prepended_data_is_refused() -> None:
    data = b"#!/bin/sh\n" + make_zip([("a.txt", b"hello")])
    with pytest.raises(ZipProblem, match="10 unexplained bytes"):
        find_directory(data, len(data))


# --- crafted archives ------------------------------------------------------------------------


@dataclass
class Entry:
    name: bytes
    offset: int
    compressed: int = 0
    uncompressed: int = 0
    zip64: bool = False
    flags: int = 0
    disk: int = 0
    extra: bytes = b""


def record(entry: Entry) -> bytes:
    extra = entry.extra
    csize, usize, offset = entry.compressed, entry.uncompressed, entry.offset
    if entry.zip64:
        extra = struct.pack("<2H3Q", 1, 24, usize, csize, offset) + extra
        csize = usize = offset = U32
    header = CD_HEADER.pack(
        b"PK\x01\x02", 45, 45, entry.flags, 8, 0, 0, 0, csize, usize,
        len(entry.name), len(extra), 0, entry.disk, 0, 0, offset,
    )  # fmt: skip
    return header + entry.name + extra


@dataclass
class Sparse:
    """A virtual file of `size` bytes: zeros, then `known` at the end."""

    size: int
    known: bytes
    fetched: list[tuple[int, int]] = field(default_factory=list)

    def fetch(self, start: int, end: int) -> bytes:
        assert 0 <= start <= end <= self.size
        assert end - start <= 300 * MiB
        self.fetched.append((start, end))
        known_at = self.size - len(self.known)
        zeros = max(0, min(end, known_at) - start)
        return bytes(zeros) + self.known[max(start, known_at) - known_at : end - known_at]

    @property
    def tail(self) -> bytes:
        return self.fetch(max(0, self.size - TAIL_BYTES), self.size)

    def read(self, limits: Limits | None = None) -> ZipSummary:
        return read_archive(self.fetch, self.size, limits)


def craft(
    entries: list[Entry],
    *,
    directory_at: int | None = None,
    claimed: int | None = None,
    zip64: bool = False,
    comment: bytes = b"",
    disks: tuple[int, int, int | None] = (0, 0, None),
    classic: tuple[int, int, int, int, int, int] | None = None,
    locator: tuple[int, int] = (0, 1),
    extensible: bytes = b"",
    gap: int = 0,
) -> Sparse:
    """An archive whose central directory holds `entries`, without the entries' data.

    `disks` is (this disk, directory disk, entries on this disk), `classic` overrides the six
    numbers of the classic end record in a ZIP64 archive, `locator` is (record disk, disks).
    """
    directory = b"".join(record(entry) for entry in entries)
    if directory_at is None:
        directory_at = max((e.offset + 30 + len(e.name) + e.compressed for e in entries), default=0)
    count = len(entries) if claimed is None else claimed
    zip64 = zip64 or directory_at >= U32 or count >= U16
    disk, directory_disk, on_disk = disks
    on_disk = count if on_disk is None else on_disk
    end = bytearray(directory) + bytes(gap)
    if zip64:
        record_at = directory_at + len(end)
        end += EOCD64.pack(
            b"PK\x06\x06", 44 + len(extensible), 45, 45, disk, directory_disk,
            on_disk, count, len(directory), directory_at,
        )  # fmt: skip
        end += extensible + LOCATOR.pack(b"PK\x06\x07", locator[0], record_at, locator[1])
        fields = classic or (U16, U16, U16, U16, U32, U32)
    else:
        fields = (disk, directory_disk, on_disk, count, len(directory), directory_at)
    end += EOCD.pack(b"PK\x05\x06", *fields, len(comment)) + comment
    return Sparse(directory_at + len(end), bytes(end))


def files(count: int, size: int = 100, **kwargs: int | bool) -> list[Entry]:
    step = 30 + 8 + size
    return [
        Entry(b"f/%05d.bin" % i, i * step, size, size, **kwargs)  # type: ignore[arg-type]
        for i in range(count)
    ]


def test_crafted_archive_reads() -> None:
    archive = craft(files(5, 1000), comment=b"hi")
    summary = archive.read()
    assert numbers(summary) == (5, 5000, 5000, 1000)


def test_crafted_zip64_extras() -> None:
    big = Entry(b"big.bin", 0, 5 * GiB, 6 * GiB, zip64=True)
    small = Entry(b"small.bin", 5 * GiB + 100, 10, 10, zip64=True)
    archive = craft([big, small], zip64=True)
    summary = archive.read()
    assert numbers(summary) == (2, 5 * GiB + 10, 6 * GiB + 10, 6 * GiB)
    assert summary.zip64


def test_zip64_extra_only_holds_the_saturated_fields() -> None:
    # Only the uncompressed size is saturated: the extra holds just that one 8-byte value.
    entry = Entry(b"a.bin", 0, 3 * GiB, U32, extra=struct.pack("<2HQ", 1, 8, 5 * GiB))
    summary = craft([entry]).read()
    assert numbers(summary) == (1, 3 * GiB, 5 * GiB, 5 * GiB)
    too_short = Entry(b"a.bin", 0, U32, U32, extra=struct.pack("<2HQ", 1, 8, 5 * GiB))
    with pytest.raises(ZipProblem, match="ZIP64 extra field too short"):
        craft([too_short], directory_at=10 * GiB).read()


def test_zip64_record_outside_the_tail() -> None:
    archive = craft(files(3), zip64=True, extensible=bytes(70_000), comment=b"c" * 1000)
    tail = archive.tail
    where = zip64_record_range(tail, archive.size)
    assert where is not None
    start, end = where
    assert end - start == 56
    assert start < archive.size - TAIL_BYTES
    with pytest.raises(ZipProblem, match="outside the last 65,633 bytes"):
        find_directory(tail, archive.size)
    directory = find_directory_zip64(tail, archive.size, archive.fetch(start, end))
    assert directory.zip64
    assert directory.entries == 3
    with pytest.raises(ZipProblem, match="could not read the ZIP64 end record"):
        find_directory_zip64(tail, archive.size, archive.fetch(start, end - 1))
    with pytest.raises(ZipProblem, match="no ZIP64 end record"):
        find_directory_zip64(tail, archive.size, bytes(56))
    assert numbers(archive.read()) == (3, 300, 300, 100)


def test_find_directory_zip64_accepts_archives_without_zip64() -> None:
    data = mixed_zip()
    assert find_directory_zip64(data, len(data), b"") == find_directory(data, len(data))


def test_zip64_end_records_must_agree() -> None:
    entries = files(2)
    good = craft(entries, zip64=True)
    directory = find_directory(good.tail, good.size)
    size, offset = directory.size, directory.offset
    agreeing = craft(entries, zip64=True, classic=(0, 0, 2, 2, size, offset))
    assert find_directory(agreeing.tail, agreeing.size) == directory
    lying = craft(entries, zip64=True, classic=(0, 0, 3, 3, size, offset))
    with pytest.raises(ZipProblem, match="disagree on the entries on this disk"):
        find_directory(lying.tail, lying.size)
    moved = craft(entries, zip64=True, classic=(0, 0, U16, U16, size, offset + 1))
    with pytest.raises(ZipProblem, match="disagree on the directory offset"):
        find_directory(moved.tail, moved.size)


def test_saturated_fields_without_locator() -> None:
    archive = craft([], claimed=0)
    end = bytearray(archive.known)
    struct.pack_into("<2L", end, len(end) - 10, U32, U32)
    with pytest.raises(ZipProblem, match="no ZIP64 locator"):
        find_directory(bytes(end), len(end))


def test_directory_must_end_at_the_end_record() -> None:
    archive = craft(files(2), gap=7)
    with pytest.raises(ZipProblem, match="7 unexplained bytes"):
        find_directory(archive.tail, archive.size)
    past = craft(files(2), directory_at=10**6)
    known = bytearray(past.known)
    struct.pack_into("<L", known, len(known) - 6, 10**6 + 1)  # the offset field
    moved = Sparse(past.size, bytes(known))
    with pytest.raises(ZipProblem, match="runs past the end record"):
        find_directory(moved.tail, moved.size)


# --- bombs -----------------------------------------------------------------------------------


def test_ten_terabytes_claimed() -> None:
    entry = Entry(b"huge.bin", 0, 100 * 10**9, 10 * 10**12, zip64=True)
    with pytest.raises(ZipProblem, match=r"would unpack to more than 1\.0 TiB") as caught:
        craft([entry], zip64=True).read()
    assert "9.1 TiB" in caught.value.message


def test_many_entries_adding_up_past_the_total() -> None:
    entries = [
        Entry(b"%d" % i, i * 10 * GiB, 10 * GiB - 100, 100 * GiB, zip64=True) for i in range(11)
    ]
    with pytest.raises(ZipProblem, match="by entry 11"):
        craft(entries).read()


def test_one_gibibyte_of_zeros() -> None:
    """42.zip-like: 1 GiB of zeros deflates to about 1 MiB, a ratio near 1030:1."""
    entry = Entry(b"zeros.bin", 0, 1_042_069, GiB)
    with pytest.raises(ZipProblem, match=r"entry 1 unpacks to 1\.0 GiB .*ratio 1,030:1.*zip bomb"):
        craft([entry]).read()


def test_stored_nothing_unpacks_to_something() -> None:
    entry = Entry(b"empty-but-huge", 0, 0, 200 * MiB)
    with pytest.raises(ZipProblem, match="ratio infinite"):
        craft([entry]).read()


def test_overall_ratio() -> None:
    # Each entry is under the 100 MiB floor, but together 160 MiB come from 160 KiB.
    entries = [Entry(b"%d" % i, i * 20_000, 10 * 1024, 10 * MiB) for i in range(16)]
    with pytest.raises(ZipProblem, match=r"the archive unpacks to 160\.0 MiB .*ratio 1,024:1"):
        craft(entries).read()
    summary = craft(entries).read(Limits(max_ratio=2000))
    assert summary.uncompressed == 160 * MiB


def test_entries_sharing_one_local_header() -> None:
    kernel = Entry(b"kernel", 0, 1000, 100_000)
    copies = [Entry(b"copy%d" % i, 0, 1000, 100_000) for i in range(5)]
    with pytest.raises(ZipProblem, match=r"entries 1 and 2 overlap.*zip bomb") as caught:
        craft([kernel, *copies], directory_at=2000).read()
    assert "copy" not in caught.value.message  # no contributor text in messages


def test_overlapping_ranges_better_zip_bomb() -> None:
    """Fifield's overlapped bomb: each entry's data contains all the following headers."""
    entries = [Entry(b"%d" % i, i * 40, 2000 - i * 40, 10 * MiB) for i in range(10)]
    with pytest.raises(ZipProblem, match="entries 1 and 2 overlap"):
        craft(entries, directory_at=4000).read()


def test_out_of_order_entries() -> None:
    ordered = files(50)
    shuffled = ordered[:]
    random.Random(3).shuffle(shuffled)
    assert numbers(craft(shuffled).read()) == numbers(craft(ordered).read())
    overlapping = [*shuffled, Entry(b"sneaky", ordered[17].offset + 10, 5, 5)]
    with pytest.raises(ZipProblem, match=r"entries \d+ and 51 overlap|entries 51 and \d+ overlap"):
        craft(overlapping).read()


def test_local_header_beyond_the_directory() -> None:
    with pytest.raises(ZipProblem, match="extends past the start of the central directory"):
        craft([Entry(b"a", 500, 10, 10)], directory_at=520).read()
    with pytest.raises(ZipProblem, match="extends past the start of the central directory"):
        craft([Entry(b"a", 10**6, 0, 0)], directory_at=100).read()


def test_folders_have_no_size() -> None:
    summary = craft([Entry(b"d/", 0), Entry(b"d/e/", 40), Entry(b"d/e/f.txt", 80, 5, 5)]).read()
    assert (summary.entries, summary.folders, summary.uncompressed) == (3, 2, 5)
    with pytest.raises(ZipProblem, match="entry 1 is a folder but claims 5 bytes"):
        craft([Entry(b"d/", 0, 5, 5)]).read()


def test_encrypted_entries_are_counted() -> None:
    summary = craft([Entry(b"a", 0, 5, 5, flags=1), Entry(b"b", 100, 5, 5)]).read()
    assert summary.encrypted == 1


# --- claims that do not add up ----------------------------------------------------------------


def test_end_record_claims_more_entries_than_present() -> None:
    with pytest.raises(ZipProblem, match="claims 6 entries but the central directory holds 5"):
        craft(files(5), claimed=6).read(Limits())
    with pytest.raises(ZipProblem, match="holds more than the 4 entries"):
        craft(files(5), claimed=4).read()


def test_multi_disk_archives_are_refused() -> None:
    for archive in (
        craft(files(2), disks=(1, 0, None)),
        craft(files(2), disks=(0, 1, None)),
        craft(files(2), disks=(0, 0, 1)),
        craft(files(2), zip64=True, disks=(0, 3, None)),
        craft(files(2), zip64=True, locator=(0, 2)),
        craft(files(2), zip64=True, locator=(1, 1)),
        craft(files(2, disk=1)),
    ):
        with pytest.raises(ZipProblem, match="multi-disk"):
            archive.read()


def test_two_million_and_one_entries_refused_before_download() -> None:
    claimed = 2_000_001
    archive = craft([], zip64=True, claimed=claimed, directory_at=10**9)
    known = bytearray(archive.known)
    # Make the claim self-consistent: a directory just big enough, ending at the record.
    size = claimed * 46
    struct.pack_into("<2Q", known, 40, size, 10**9 - size)
    archive = Sparse(archive.size, bytes(known))
    directory = find_directory(archive.tail, archive.size)
    assert directory == Directory(offset=10**9 - size, size=size, entries=claimed, zip64=True)
    with pytest.raises(ZipProblem, match="claims 2,000,001 entries; at most 2,000,000"):
        archive.read()
    assert all(end - start <= TAIL_BYTES for start, end in archive.fetched)
    with pytest.raises(ZipProblem, match="claims 2,000,001 entries"):
        summarise(b"", directory, Limits())


def test_check_directory() -> None:
    limits = Limits()
    check_directory(Directory(0, 0, 0, False), limits)
    check_directory(Directory(0, 46 * 10, 10, False), limits)
    with pytest.raises(ZipProblem) as caught:
        check_directory(Directory(0, 2**40, U32, True), limits)
    assert caught.value.message.startswith("the archive claims 4,294,967,295 entries")
    with pytest.raises(ZipProblem, match=r"central directory is 256\.0 MiB .*; at most"):
        check_directory(Directory(0, 256 * MiB + 1, 1000, True), limits)
    with pytest.raises(ZipProblem, match="room for at most 2"):
        check_directory(Directory(0, 100, 3, False), limits)
    with pytest.raises(ZipProblem, match="claims no entries"):
        check_directory(Directory(0, 100, 0, False), limits)


# --- corrupt records --------------------------------------------------------------------------


def directory_of(data: bytes) -> tuple[bytes, Directory]:
    directory = find_directory(data[-TAIL_BYTES:], len(data))
    return data[directory.offset : directory.offset + directory.size], directory


def sparse_directory_of(archive: Sparse) -> tuple[bytes, Directory]:
    directory = find_directory(archive.tail, archive.size)
    return archive.fetch(directory.offset, directory.offset + directory.size), directory


def test_corrupt_records() -> None:
    raw, directory = directory_of(mixed_zip())
    limits = Limits()
    with pytest.raises(ZipProblem, match="got 10 bytes instead of"):
        summarise(raw[:10], directory, limits)
    with pytest.raises(ZipProblem, match="entry 1 of the central directory has a bad signature"):
        summarise(b"X" + raw[1:], directory, limits)
    shorter = Directory(directory.offset, directory.size - 5, directory.entries, False)
    with pytest.raises(ZipProblem, match="is truncated"):
        summarise(raw[:-5], shorter, limits)
    longer = Directory(directory.offset, directory.size + 50, directory.entries, False)
    with pytest.raises(ZipProblem, match="holds more than the 6 entries"):
        summarise(raw + bytes(50), longer, limits)
    assert summarise(bytearray(raw), directory, limits) == summarise(raw, directory, limits)
    assert summarise(memoryview(raw), directory, limits) == summarise(raw, directory, limits)


def test_corrupt_extra_fields() -> None:
    truncated = Entry(b"a", 0, U32, 5, extra=struct.pack("<2H", 1, 30) + bytes(8))
    with pytest.raises(ZipProblem, match="truncated extra field"):
        craft([truncated], directory_at=10**10).read()
    padded = Entry(b"a", 0, U32, 5, extra=struct.pack("<2H", 0x9999, 0) * 17)
    with pytest.raises(ZipProblem, match="more than 16 extra fields"):
        craft([padded], directory_at=10**10).read()
    later = Entry(
        b"a", 0, U32, 5, extra=struct.pack("<2H", 0x5455, 1) + b"\0" + struct.pack("<2HQ", 1, 8, 7)
    )
    assert numbers(craft([later]).read()) == (1, 7, 5, 5)


def test_zip_problem_message() -> None:
    problem = ZipProblem("the archive claims 4,294,967,295 entries")
    assert problem.message == str(problem) == "the archive claims 4,294,967,295 entries"


# --- fuzzing: nothing but ZipProblem ever escapes ---------------------------------------------


def only_zip_problems(run: Callable[[], object]) -> None:
    try:
        run()
    except ZipProblem as problem:
        assert problem.message


@FUZZ
@given(tail=st.binary(max_size=400), extra=st.integers(0, 2**70))
def test_random_tails(tail: bytes, extra: int) -> None:
    size = len(tail) + extra
    only_zip_problems(lambda: find_directory(tail, size))
    only_zip_problems(lambda: zip64_record_range(tail, size))
    only_zip_problems(lambda: find_directory_zip64(tail, size, tail[:56]))


FIELD16 = st.one_of(st.integers(0, 3), st.just(U16), st.integers(0, U16))
FIELD32 = st.one_of(st.integers(0, 200), st.just(U32), st.integers(0, U32))
FIELD64 = st.one_of(st.integers(0, 300), st.just(2**64 - 1), st.integers(0, 2**64 - 1))


@FUZZ
@given(
    prefix=st.binary(max_size=200),
    eocd=st.tuples(FIELD16, FIELD16, FIELD16, FIELD16, FIELD32, FIELD32),
    comment=st.binary(max_size=40),
    zip64=st.none()
    | st.tuples(
        st.tuples(FIELD64, FIELD16, FIELD16, FIELD32, FIELD32, FIELD64, FIELD64, FIELD64, FIELD64),
        st.tuples(FIELD32, FIELD64, FIELD32),
    ),
    before=st.integers(0, 10**6),
)
def test_random_end_records(
    prefix: bytes,
    eocd: tuple[int, int, int, int, int, int],
    comment: bytes,
    zip64: tuple[tuple[int, ...], tuple[int, int, int]] | None,
    before: int,
) -> None:
    end = bytearray(prefix)
    if zip64 is not None:
        end += EOCD64.pack(b"PK\x06\x06", *zip64[0]) + LOCATOR.pack(b"PK\x06\x07", *zip64[1])
    end += EOCD.pack(b"PK\x05\x06", *eocd, len(comment)) + comment
    archive = Sparse(before + len(end), bytes(end))
    only_zip_problems(lambda: archive.read(Limits(max_directory_bytes=MiB)))


@FUZZ
@given(raw=st.binary(max_size=600), entries=st.integers(0, 20), offset=st.integers(0, 10**12))
def test_random_directories(raw: bytes, entries: int, offset: int) -> None:
    directory = Directory(offset, len(raw), entries, False)
    only_zip_problems(lambda: summarise(raw, directory, Limits()))


@functools.cache
def real_directories() -> list[tuple[bytes, Directory]]:
    crafted = craft(
        [
            Entry(b"low.txt", 0, U32, 5, extra=struct.pack("<2HQ", 1, 8, 9)),
            Entry(b"big.bin", 1000, 5 * GiB, 6 * GiB, zip64=True),
            Entry(b"d/", 6 * GiB, zip64=True),
            Entry(b"d/x.txt", 6 * GiB + 200, 9, 5, zip64=True),
        ],
        zip64=True,
    )
    return [
        directory_of(mixed_zip()),
        directory_of(make_zip([("a.txt", b"a" * 5000)], method=zipfile.ZIP_STORED)),
        sparse_directory_of(crafted),
    ]


Mutation = tuple[int, int]


@FUZZ
@given(
    which=st.integers(0, 2),
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.integers(0, 40),
    entries_delta=st.integers(-1, 1),
)
def test_mutated_real_directories(
    which: int, flips: list[Mutation], cut: int, entries_delta: int
) -> None:
    raw, directory = real_directories()[which]
    mutated = bytearray(raw)
    for position, value in flips:
        mutated[position % len(mutated)] ^= value or 1
    mutated = mutated[: len(mutated) - cut]
    claimed = max(0, directory.entries + entries_delta)
    changed = Directory(directory.offset, len(mutated), claimed, directory.zip64)
    only_zip_problems(lambda: summarise(bytes(mutated), changed, Limits()))


@FUZZ
@given(
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1, max_size=6)
)
def test_mutated_whole_archives(flips: list[Mutation]) -> None:
    data = bytearray(mixed_zip())
    for position, value in flips:
        data[position % len(data)] ^= value
    only_zip_problems(lambda: read_bytes(bytes(data)))


@settings(max_examples=40, deadline=None)
@given(
    contents=st.lists(
        st.tuples(st.binary(max_size=300), st.integers(0, 4), st.sampled_from([0, 8])),
        max_size=8,
    ),
    # A comment holding an end-of-directory signature is ambiguous even for zipfile;
    # the crafted tests above cover that case.
    comment=st.binary(max_size=100).filter(lambda c: b"PK\x05\x06" not in c),
)
def test_generated_archives_match_zipfile(
    contents: list[tuple[bytes, int, int]], comment: bytes
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index, (data, repeat, method) in enumerate(contents):
            archive.writestr(f"top{index % 3}/{index}.dat", data * repeat, compress_type=method)
        archive.comment = comment
    data = buffer.getvalue()
    assert numbers(read_bytes(data)) == expected(data)


# --- the column-wise reader --------------------------------------------------------------------

NAME_BYTES = st.sampled_from([b"a", b"B", b".", b"/", b"\0", b"x.PNG", b".png", b"\xe9"])


def summary_of(entries: list[Entry]) -> ZipSummary:
    archive = craft(entries)
    directory = find_directory(archive.tail, archive.size)
    raw = archive.fetch(directory.offset, directory.offset + directory.size)
    return summarise(raw, directory, Limits())


@settings(max_examples=300, deadline=None)
@given(
    names=st.lists(st.lists(NAME_BYTES, max_size=6).map(b"".join), min_size=1, max_size=40),
    sizes=st.lists(st.integers(0, 3), min_size=40, max_size=40),
    flags=st.lists(st.sampled_from([0, 1, 0x800]), min_size=40, max_size=40),
    extra=st.sampled_from([b"", b"UT\x05\x00\x01abcd"]),
)
def test_column_wise_reader_matches_entry_by_entry(
    names: list[bytes], sizes: list[int], flags: list[int], extra: bytes
) -> None:
    """Names with dots, slashes, NULs, upper case, hidden files and folders; equal or unequal
    lengths; encrypted and UTF-8 flags: the fixture compares both readers on each."""
    entries, offset = [], 0
    for name, any_size, flag in zip(names, sizes, flags, strict=False):
        size = 0 if name.endswith(b"/") else any_size
        entries.append(Entry(name, offset, size, size, flags=flag, extra=extra))
        offset += 30 + len(name) + size
    only_zip_problems(lambda: summary_of(entries))


def test_column_wise_reader_takes_ordinary_archives(readers_agree: list[bool]) -> None:
    same_length = [Entry(b"val/%08x.png" % i, i * 60, 10, 10) for i in range(300)]
    assert summary_of(same_length).extensions == ((".png", 300),)
    mixed = [Entry(b"val/", 0), *[Entry(b"val/%d.JPG" % i, 30 + i * 60, 10, 10) for i in range(99)]]
    summary = summary_of(mixed)
    assert (summary.folders, summary.top_level, summary.extensions) == (
        1,
        ("val/",),
        ((".jpg", 99),),
    )
    assert readers_agree == [True, True]


@pytest.mark.parametrize(
    "entries",
    [
        [Entry(b"a\0b.png", 0), Entry(b"c.png", 40)],  # a NUL in a name
        [Entry(b"%d.e%d" % (i, i), i * 40) for i in range(40)],  # more than 32 extensions
        [Entry(b"b.png", 100), Entry(b"a.png", 0)],  # out of file order (still valid)
    ],
)
def test_column_wise_reader_leaves_the_unusual_to_the_exact_one(
    readers_agree: list[bool], entries: list[Entry]
) -> None:
    summary_of(entries)
    assert readers_agree == [False]
