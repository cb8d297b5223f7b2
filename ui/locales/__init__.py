"""Chinese catalogues: one module per part of the UI (zh_*.py), each a dict ``ZH`` English → 中文."""
