"""Live streaming: Mastodon's streaming API over WebSockets and server-sent events, with
positions and lossless resume from each channel's bounded history (docs/streaming.md)."""
