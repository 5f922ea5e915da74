"""Keep email-link tokens out of the log.

Django logs every 4xx and 5xx with the request's path ("Gone: /act/signature/withdraw/
<token>/"), and so does its CSRF check: a confirm, withdraw or unsubscribe token, or a
password reset link, would then sit in the log, usable by whoever reads it. This filter,
on the log handlers (see LOGGING), replaces the token part of such paths.
"""

import logging
import re

_TOKEN_PATHS = re.compile(
    r"(/act/(?:signature/confirm|signature/withdraw|subscribe/confirm|unsubscribe)/)[^/\s\"']+"
    r"|(/password_reset/confirm/)[^/\s\"']+/[^/\s\"']+"
)


def tokens_redact(text: str) -> str:
    """`text` with the tokens of email-link paths replaced by [token]."""
    return _TOKEN_PATHS.sub(
        lambda m: f"{m.group(1)}[token]" if m.group(1) else f"{m.group(2)}[uid]/[token]", text
    )


class TokenRedactFilter(logging.Filter):
    """Rewrites a record whose message names an email-link path; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is the handler's business
            return True
        redacted = tokens_redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
