"""The standing attack suite (issue 15): a rep and the wrong team's manager try every mutation
kind and endpoint with foreign ids; no answer may hold a field of a record outside the caller's
audience, every refusal has a code, nothing beyond rights changes. In process and over HTTP,
on SQLite and PostgreSQL: ``pytest tests/security``."""
