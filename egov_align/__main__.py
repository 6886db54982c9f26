"""`python -m egov_align` runs the command line, as the console script does."""

from egov_align.entry import console

console()
