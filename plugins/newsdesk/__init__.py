"""newsdesk: news feeds in, clean articles, entities and commitments out, into PostgreSQL.

The library never imports Airflow and never configures logging handlers.
"""

from __future__ import annotations

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
