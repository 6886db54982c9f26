"""`python -m egov_align` runs the command line."""

from egov_align.cli import main

raise SystemExit(main())
