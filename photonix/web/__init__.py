"""HTTP entry points: pages, HTMX partials, the JSON API, file routes, health and metrics."""
