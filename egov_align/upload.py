"""Unpack an uploaded .zip of model files safely into a temporary directory that cleans itself up.

Every way a zip can be malformed or hostile (bad CRC, lying sizes, corrupt or unknown
compression, encryption, names that escape, clash or nest absurdly, links, bombs) ends in
one `UploadError` with a sentence for the dashboard, and the half-written folder is removed
at once. A good upload lives in an `UnpackedUpload`, whose folder is removed when the object
is dropped (the session ends, or the next upload replaces it) or when the process exits.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import weakref
import zipfile
import zlib
from io import BytesIO
from pathlib import Path, PurePosixPath

MAX_ZIP_BYTES = 20_000_000  # a national model (6,000 files, 30 MB of YAML) zips to a few MB
MAX_UNPACKED_BYTES = 200_000_000
MAX_FILES = 20_000
MAX_NAME_CHARS = 240  # of one path; most file systems stop at 255 bytes a name, 4096 a path
MAX_DEPTH = 32  # folders deep; a model needs two or three
_PREFIX = "egov-align-upload-"


class UploadError(Exception):
    """The upload is not a usable zip of YAML files; the message says why."""


class UnpackedUpload:
    """A folder of unpacked model files, removed when this object goes away."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(directory), ignore_errors=True)

    def remove(self) -> None:
        self._finalizer()

    @property
    def removed(self) -> bool:
        return not self._finalizer.alive


def _member_path(info: zipfile.ZipInfo) -> PurePosixPath | None:
    """The member's safe relative path, None for what we skip, or UploadError for what we refuse."""
    raw = info.filename
    name = PurePosixPath(raw.replace("\\", "/"))
    if name.is_absolute() or ".." in name.parts or (name.parts and ":" in name.parts[0]):
        raise UploadError(f"{raw[:80]!r} would be written outside the upload folder")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UploadError(f"{raw[:80]!r} is a symbolic link")
    if any(ord(c) < 32 for c in raw):
        raise UploadError(f"a file name holds control characters: {raw[:80]!r}")
    if info.is_dir() or name.suffix not in (".yaml", ".yml") or any(p.startswith(".") for p in name.parts):
        return None
    if len(raw) > MAX_NAME_CHARS or any(len(p.encode()) > 255 for p in name.parts):
        raise UploadError(f"a file name is {len(raw)} characters long; the limit is {MAX_NAME_CHARS}")
    if len(name.parts) > MAX_DEPTH:
        raise UploadError(f"a file is {len(name.parts) - 1} folders deep; the limit is {MAX_DEPTH}")
    return name


def _members(archive: zipfile.ZipFile, *, max_unpacked_bytes: int, max_files: int) -> list:
    members, total, places = [], 0, {}
    for info in archive.infolist():
        name = _member_path(info)
        if name is None:
            continue
        if info.flag_bits & 0x1:
            raise UploadError(f"{info.filename!r} is encrypted; upload an unencrypted zip")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UploadError(f"{info.filename!r} uses a compression this tool does not read; zip it again "
                              "with the usual (deflate) compression")
        key = tuple(p.casefold() for p in name.parts)
        for depth in range(1, len(key)):
            if places.get(key[:depth]) == "file":
                raise UploadError(f"{info.filename!r} needs a folder where the zip already has a file")
            places[key[:depth]] = "folder"
        if key in places:
            what = "a folder" if places[key] == "folder" else "another file"
            raise UploadError(f"{info.filename!r} clashes with {what} of the same name")
        places[key] = "file"
        total += info.file_size
        members.append((info, name))
    if not members:
        raise UploadError("the zip holds no .yaml or .yml files")
    if len(members) > max_files:
        raise UploadError(f"the zip holds {len(members):,} model files; the limit is {max_files:,}")
    if total > max_unpacked_bytes:
        raise UploadError(f"the model files unpack to {total:,} bytes; the limit is {max_unpacked_bytes:,}")
    return members


def unpack_models(data: bytes, *, max_zip_bytes: int = MAX_ZIP_BYTES,
                  max_unpacked_bytes: int = MAX_UNPACKED_BYTES, max_files: int = MAX_FILES) -> UnpackedUpload:
    """Extract only *.yaml / *.yml members, refusing path escapes, links, bombs and damage."""
    if len(data) > max_zip_bytes:
        raise UploadError(f"the zip is {len(data):,} bytes; the limit is {max_zip_bytes:,}")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        members = _members(archive, max_unpacked_bytes=max_unpacked_bytes, max_files=max_files)
    except UploadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError, NotImplementedError):
        raise UploadError("this is not a readable zip file") from None
    target = Path(tempfile.mkdtemp(prefix=_PREFIX))
    upload = UnpackedUpload(target)
    try:
        for info, name in members:
            path = target.joinpath(*name.parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source:
                content = source.read(info.file_size + 1)
            if len(content) != info.file_size:
                raise UploadError(f"{info.filename!r} does not match its declared size")
            path.write_bytes(content)
    except UploadError:
        upload.remove()
        raise
    except (zipfile.BadZipFile, EOFError, zlib.error, ValueError, NotImplementedError, RuntimeError) as error:
        upload.remove()
        raise UploadError(f"the zip is damaged and cannot be unpacked ({type(error).__name__}: "
                          f"{str(error)[:120]})") from None
    except OSError as error:
        upload.remove()
        raise UploadError(f"a file in the zip cannot be written here ({error.strerror or error})") from None
    return upload


IMPORTED_SUFFIXES = {".xlsx": "sheet", ".xml": "archimate", ".archimate": "archimate", ".bpmn": "bpmn"}


def import_upload(data: bytes, name: str, *, max_bytes: int = MAX_ZIP_BYTES) -> UnpackedUpload:
    """An uploaded inventory workbook, ArchiMate model or BPMN map, imported into a folder of model files.

    The same limits as a zip; every problem of the source, at its position, in the error.
    """
    from egov_align.interop import run_import
    from egov_align.interop.output import Target

    suffix = Path(name).suffix.lower()
    if suffix not in IMPORTED_SUFFIXES:
        raise UploadError(f"{name}: upload a .zip of model files, or an .xlsx, .xml (ArchiMate) or .bpmn file")
    if len(data) > max_bytes:
        raise UploadError(f"{name} is {len(data):,} bytes; the limit is {max_bytes:,}")
    folder = Path(tempfile.mkdtemp(prefix=_PREFIX))
    upload = UnpackedUpload(folder)
    source = folder / f"upload{suffix}"
    source.write_bytes(data)
    report = run_import(IMPORTED_SUFFIXES[suffix], [str(source)], Target(folder / "model"))
    source.unlink()
    if report.problems:
        upload.remove()
        shown = [f"{p.position.replace(str(source), name)}: {p.message}" for p in report.problems[:10]]
        more = f" … and {len(report.problems) - 10} more" if len(report.problems) > 10 else ""
        raise UploadError(f"{len(report.problems)} problem(s) in {name}: " + "; ".join(shown) + more)
    if not report.written:
        upload.remove()
        raise UploadError(f"nothing in {name} maps to a model element")
    upload.directory = folder / "model"
    return upload
