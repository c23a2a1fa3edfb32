"""Followed hashtags: a person follows a tag, and public statuses carrying it enter their home."""
