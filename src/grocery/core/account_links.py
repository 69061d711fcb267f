"""Links mailed to a customer: one to confirm their email address, one to reset a forgotten
password. Each carries an opaque token, stored only as its hash, used at most once, and
good for a while (a reset for an hour).

Asking for a reset answers the same whether or not the address is known; beyond a few
asks per address, or per client, in an hour, nothing more is mailed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from grocery.core.errors import BadRequest
from grocery.core.identity import User
from grocery.core.ids import new_id
from grocery.core.mail import Letter, MailKind


class LinkPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - what a link is for, not a password

    @property
    def lifetime(self) -> timedelta:
        return _LIFETIMES[self]

    @property
    def mail_kind(self) -> MailKind:
        return MailKind(self.value)

    def refusal(self) -> BadRequest:
        """The answer to a token that is unknown, used, expired or tampered with."""
        if self is LinkPurpose.PASSWORD_RESET:
            return BadRequest(
                "This password reset link is not valid: it may be used or expired; ask for a new one.",
                code="invalid_reset_token",
            )
        return BadRequest(
            "This email confirmation link is not valid: it may be used or expired; ask for a new one.",
            code="invalid_verification_token",
        )


_LIFETIMES = {
    LinkPurpose.VERIFY_EMAIL: timedelta(days=7),
    LinkPurpose.PASSWORD_RESET: timedelta(hours=1),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class LinkToken:
    id: UUID
    user_id: UUID
    purpose: LinkPurpose
    token_hash: str = field(repr=False)
    expires_at: datetime
    used_at: datetime | None = None


def link_token(user: User, purpose: LinkPurpose, token_hash: str, now: datetime) -> LinkToken:
    return LinkToken(
        id=new_id(),
        user_id=user.id,
        purpose=purpose,
        token_hash=token_hash,
        expires_at=now + purpose.lifetime,
    )


def link_letter(user: User, purpose: LinkPurpose, token: str) -> Letter:
    """The mail carrying the link: the token in plain, this once."""
    return Letter(
        kind=purpose.mail_kind, to=user.email, to_name=user.username, facts={"token": token}
    )


@dataclass(frozen=True, slots=True)
class MailThrottle:
    """How many link mails may be asked for in a sliding window: per address, per client."""

    per_address: int = 3
    per_client: int = 10
    window: timedelta = timedelta(hours=1)

    def window_start(self, now: datetime) -> datetime:
        """Asks at or after this moment count."""
        return now - self.window

    def allows(self, *, by_address: int, by_client: int) -> bool:
        """Counts include this ask."""
        return by_address <= self.per_address and by_client <= self.per_client


def address_key(email: str) -> str:
    return f"address:{email}"


def client_key(client: str) -> str:
    return f"client:{client}"
