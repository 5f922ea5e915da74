"""The bench's production settings, with the per-address email limit out of the scanners' way.

`ACTIONS_EMAIL_LIMIT` (three emails to one address an hour) has no environment variable:
it is a fixed part of the design. A scanner that varies one field at a time sends the
same address hundreds of times, and every form after the third would stop at that limit
(429) before it reached the code that writes to the database, which is the code the
scanners are here to test. The per-IP limits and the bot checks are opened through
their environment variables by `bench/security/run.py`.
"""

from bench.settings import *  # noqa: F403

ACTIONS_EMAIL_LIMIT = 1_000_000
