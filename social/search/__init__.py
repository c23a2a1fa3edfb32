"""Search: accounts and hashtags by prefix from an index in Redis, statuses by full text
in the database."""
