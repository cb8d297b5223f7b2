"""The parts screens are made of, below them: widgets, the catalogue of both languages, and the
one module that touches Textual internals. Nothing here imports screens or the app shell (tui)."""
