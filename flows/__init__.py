"""Kanaalmonitor: customer-contact figures of a Dutch city, every edition kept, in DuckDB."""
