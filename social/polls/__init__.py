"""Polls: the Poll entity, votes, expiry."""
