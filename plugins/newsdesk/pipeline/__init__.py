"""The only place that composes stages: sources → fetch → extract → analyze → store.

One module per flow (polling feeds, fetching articles, analysing articles); the Airflow DAGs
and the CLI call these functions and nothing below them.
"""
