"""The sales rules the server decides, with its own clock, one module per area.

- ``mutations``: a rep's pushed change → the handler of its kind → applied, conflict or rejected.
- ``history``: visits, feedback and follow-ups (append-only; updates of their status fields).
- ``customers``: creating, editing and claiming a customer; the daily claim cap and held count.
- ``ownership``: ownership the server or a manager changes: reclaim to the pool, assign, transfer.
- ``shared``: what those share: the coded ``Refused``, validation, the customer a record is for,
  the refusal that names a customer only to whom may see it, saving a customer, a resent create.

Every function here runs inside one writing transaction the caller opened (server.db.writing), so
a mutation, its change rows, its audit entries and the device's ``last_mid`` commit together. The
clock is the caller's: each function takes ``now``.
"""
