"""HTTP API: one module per resource, routes at the bottom of each."""
