"""Accounts over HTTP: signing up and one's own account, other accounts, preferences."""

from social.accounts.http import credentials, preferences, profiles

routes = credentials.routes + profiles.routes + preferences.routes
