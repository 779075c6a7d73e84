"""Airflow adapters for newsdesk: connection → Settings, Assets, the task bodies the DAGs wire.

Kept import-light: DAG files import this at parse time, so nothing here touches the database,
the network or heavy libraries at import.
"""
