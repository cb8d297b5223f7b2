"""The HTTP API's parts: routers per area (sync, org, rules), their shared dependencies, the
error answers and the ASGI edge (body limit, safe headers, sign-in throttle)."""
