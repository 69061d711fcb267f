"""The Mailer when no mail server is set: each message is logged, never sent.

Only the recipient, the subject and the Message-ID are logged: bodies carry reset and
verification tokens, which never go into a log.
"""

from __future__ import annotations

import structlog

from grocery.core.mail import Mail

log = structlog.get_logger("grocery.mail")


class LogMailer:
    def __init__(self, *, domain: str) -> None:
        self._domain = domain

    async def send(self, mail: Mail) -> None:
        log.info(
            "mail.logged",
            to=mail.to,
            subject=mail.subject,
            message_id=mail.message_id(self._domain),
        )
