"""social: a Redis-powered, real-time social backend speaking the Mastodon client API."""

__version__ = "0.1.0"
