"""The relational database: the source of truth."""
