"""Unpack an uploaded .zip of model files safely into a fresh temporary directory."""

from __future__ import annotations

import stat
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path, PurePosixPath

MAX_ZIP_BYTES = 20_000_000
MAX_UNPACKED_BYTES = 100_000_000
MAX_FILES = 5_000


class UploadError(Exception):
    """The upload is not a usable zip of YAML files; the message says why."""


def unpack_models(data: bytes, *, max_zip_bytes: int = MAX_ZIP_BYTES,
                  max_unpacked_bytes: int = MAX_UNPACKED_BYTES, max_files: int = MAX_FILES) -> Path:
    """Extract only *.yaml / *.yml members, refusing path escapes, links and zip bombs."""
    if len(data) > max_zip_bytes:
        raise UploadError(f"the zip is {len(data):,} bytes; the limit is {max_zip_bytes:,}")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadError("this is not a zip file") from None
    members = []
    total = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = PurePosixPath(info.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts or (name.parts and ":" in name.parts[0]):
            raise UploadError(f"{info.filename!r} would be written outside the upload folder")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UploadError(f"{info.filename!r} is a symbolic link")
        if name.suffix not in (".yaml", ".yml") or any(part.startswith(".") for part in name.parts):
            continue
        total += info.file_size
        members.append((info, name))
    if not members:
        raise UploadError("the zip holds no .yaml or .yml files")
    if len(members) > max_files:
        raise UploadError(f"the zip holds {len(members):,} model files; the limit is {max_files:,}")
    if total > max_unpacked_bytes:
        raise UploadError(f"the model files unpack to {total:,} bytes; the limit is {max_unpacked_bytes:,}")
    target = Path(tempfile.mkdtemp(prefix="egov-align-upload-"))
    for info, name in members:
        path = target.joinpath(*name.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source:
            content = source.read(max_unpacked_bytes + 1)
        if len(content) != info.file_size:
            raise UploadError(f"{info.filename!r} does not match its declared size")
        path.write_bytes(content)
    return target
