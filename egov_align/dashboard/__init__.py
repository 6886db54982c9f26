"""The Streamlit pages of `app.py`: display only, every number comes from `egov_align`."""
