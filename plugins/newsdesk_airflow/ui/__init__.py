"""The Newsdesk page inside the Airflow UI: a FastAPI app mounted at /newsdesk by the plugin."""
