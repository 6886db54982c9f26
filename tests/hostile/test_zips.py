"""Malformed and hostile zips: each one UploadError with a sentence, and no folder left behind."""

from __future__ import annotations

import struct
import tempfile
import zipfile
from io import BytesIO

import pytest

from egov_align.upload import UploadError, unpack_models

pytestmark = pytest.mark.timeout(60)

GOOD = b"institutions:\n  - {id: nida, name: NIDA}\n" * 20


def _zip(files: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _patch_central(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    at = data.index(b"PK\x01\x02") + offset
    return data[:at] + struct.pack(fmt, value) + data[at + struct.calcsize(fmt):]


def _patch_local(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    at = data.index(b"PK\x03\x04") + offset
    return data[:at] + struct.pack(fmt, value) + data[at + struct.calcsize(fmt):]


def bad_crc() -> bytes:
    data = _zip({"m.yaml": GOOD})
    at = data.index(b"NIDA")
    return data[:at] + b"NADI" + data[at + 4:]


def short_declared_size() -> bytes:
    data = _zip({"m.yaml": GOOD}, zipfile.ZIP_DEFLATED)
    return _patch_central(data, 24, "<I", 10)


def name_mismatch() -> bytes:
    data = _zip({"m.yaml": GOOD})
    at = data.index(b"PK\x03\x04") + 30
    return data[:at] + b"n" + data[at + 1:]


def corrupt_deflate() -> bytes:
    data = _zip({"m.yaml": GOOD}, zipfile.ZIP_DEFLATED)
    start = data.index(b"PK\x03\x04") + 30 + len("m.yaml")
    return data[:start] + b"\xff" * 12 + data[start + 12:]


def encrypted() -> bytes:
    return _patch_central(_zip({"m.yaml": GOOD}), 8, "<H", 0x1)


def unknown_compression() -> bytes:
    data = _patch_central(_zip({"m.yaml": GOOD}), 10, "<H", 99)
    return _patch_local(data, 8, "<H", 99)


def file_then_directory() -> bytes:
    return _zip({"models/a.yaml": GOOD, "models/a.yaml/b.yaml": GOOD})


def long_names() -> bytes:
    return _zip({"x" * 300 + ".yaml": GOOD})


def nested_directories() -> bytes:
    return _zip({"d/" * 2_000 + "m.yaml": GOOD})


def truncated() -> bytes:
    return _zip({"m.yaml": GOOD})[:-30]


MALFORMED = [bad_crc, short_declared_size, name_mismatch, corrupt_deflate, encrypted, unknown_compression,
             file_then_directory, long_names, nested_directories, truncated]


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Temporary folders go here, so the test sees every one that is left behind."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("make", MALFORMED, ids=lambda f: f.__name__)
def test_a_malformed_zip_is_one_upload_error_and_leaves_nothing(make, private_tmp):
    with pytest.raises(UploadError) as raised:
        unpack_models(make())
    message = str(raised.value)
    assert message and "\n" not in message and len(message) < 300
    assert list(private_tmp.glob("egov-align-upload-*")) == []


def test_a_good_upload_is_removed_when_replaced_or_dropped(private_tmp):
    first = unpack_models(_zip({"models/m.yaml": GOOD}))
    assert (first.directory / "models" / "m.yaml").read_bytes() == GOOD
    first.remove()  # the next upload replaces it
    assert not first.directory.exists()
    second = unpack_models(_zip({"models/m.yaml": GOOD}))
    folder = second.directory
    del second  # the session ends and its state is dropped
    assert not folder.exists()
    assert list(private_tmp.glob("egov-align-upload-*")) == []
