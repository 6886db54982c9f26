"""egov-align dashboard for leaders: `streamlit run app.py` (the sample model) or `-- --model DIR`.

A thin entry: the dashboard ships inside the package (egov_align/dashboard), and
`egov-align dashboard` starts the same one.
"""

from egov_align.dashboard.app import main

main()
