"""What the client and the server agree on: record models, wire messages and the sales rules.

``server/`` may import this package and nothing else of the client's.
"""

from sync.protocol.models import *  # noqa: F403
from sync.protocol.models import SCHEMA_VERSION as SCHEMA_VERSION
