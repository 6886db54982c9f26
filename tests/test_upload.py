"""The dashboard's .zip upload: only YAML, no path escapes, no bombs, a temporary directory."""

from __future__ import annotations

import io
import zipfile

import pytest

from egov_align.upload import UploadError, unpack_models


def make_zip(entries: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (0o120777 << 16)
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def test_only_yaml_files_are_unpacked_into_a_temporary_directory(tmp_path):
    upload = unpack_models(make_zip({"models/a.yaml": b"institutions: []\n", "processes/b.yml": b"",
                                     "README.md": b"x", "models/.hidden.yaml": b"x", "run.sh": b"rm -rf /"}))
    target = upload.directory
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert files == ["models/a.yaml", "processes/b.yml"]
    assert "egov-align-upload-" in target.name
    del upload  # dropped with the session: the folder goes with it
    assert not target.exists()


@pytest.mark.parametrize("name", ["../evil.yaml", "/etc/evil.yaml", "models/../../evil.yaml", "C:/evil.yaml"])
def test_path_escapes_are_refused(name):
    with pytest.raises(UploadError, match="outside"):
        unpack_models(make_zip({name: b"x: 1\n"}))


def test_symbolic_links_are_refused():
    with pytest.raises(UploadError, match="symbolic link"):
        unpack_models(make_zip({"a.yaml": b""}, symlink="link.yaml"))


def test_size_and_count_limits():
    with pytest.raises(UploadError, match="unpack to"):
        unpack_models(make_zip({"big.yaml": b"a" * 200_000}), max_unpacked_bytes=100_000)
    with pytest.raises(UploadError, match="model files"):
        unpack_models(make_zip({f"m{n}.yaml": b"" for n in range(11)}), max_files=10)
    with pytest.raises(UploadError, match="limit"):
        unpack_models(b"x" * 101, max_zip_bytes=100)


def test_not_a_zip_and_no_yaml():
    with pytest.raises(UploadError, match="not a readable zip"):
        unpack_models(b"plain text")
    with pytest.raises(UploadError, match="no .yaml"):
        unpack_models(make_zip({"notes.txt": b"x"}))
