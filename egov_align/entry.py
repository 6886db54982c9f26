"""The `egov-align` console script: answers `--version` before importing anything else.

Everything else goes to egov_align.cli, which imports each stage only when a command needs it.
"""

from __future__ import annotations

import os
import sys

from egov_align import __version__


def main(*, leaving: bool = False) -> int:
    """`leaving`: the process ends right after (console): the command's result is not freed."""
    if sys.argv[1:] == ["--version"]:
        print(f"egov-align {__version__}")
        return 0
    from egov_align import cli

    if leaving:
        cli.KEPT_UNTIL_EXIT = []
    return cli.main()


def console() -> None:
    """Run a command and leave at once, like mypy's fast exit.

    A national analysis leaves millions of objects; freeing them one by one at interpreter
    shutdown takes half a second and changes nothing. Output is flushed first, and every
    file egov-align writes (output, caches) is closed before a command returns.
    """
    code = main(leaving=True)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader left (`| head`): what it wanted, it has
        code = code or 0
    except OSError:
        code = code or 1
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
