"""The `egov-align` console script: answers `--version` before importing anything else.

Everything else goes to egov_align.cli, which imports each stage only when a command needs it.
"""

from __future__ import annotations

import sys

from egov_align import __version__


def main() -> int:
    if sys.argv[1:] == ["--version"]:
        print(f"egov-align {__version__}")
        return 0
    from egov_align.cli import main as run

    return run()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
