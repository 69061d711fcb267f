"""Mail without a server: each letter's words and links, the MIME message's headers (no header
can be smuggled in), the log mailer (no token in a log), SMTP URLs and the mailer chosen."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from uuid import UUID, uuid4

import pytest
from jinja2 import UndefinedError
from structlog.testing import capture_logs

from grocery.adapters.mail import make_mailer
from grocery.adapters.mail.log import LogMailer
from grocery.adapters.mail.smtp import SmtpMailer, SmtpServer, mime_message
from grocery.adapters.mail.templates import MailTemplates
from grocery.core.mail import Letter, Mail, MailKind, header_text, sender_domain
from grocery.core.outbox import Undeliverable

STORE, URL = "Corner Grocery", "https://corner.example"
ORDER_ID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
TOKEN = "tok_3v1Lr-Zq"
ORDER = {
    "order_id": ORDER_ID,
    "currency": "USD",
    "lines": [{"name": "Bananas", "quantity": 2, "line_total": "1.20"}],
    "subtotal": "1.20",
    "discount": "0.20",
    "total": "1.00",
}
FACTS: dict[MailKind, dict[str, Any]] = {
    MailKind.VERIFY_EMAIL: {"token": TOKEN},
    MailKind.PASSWORD_RESET: {"token": TOKEN},
    MailKind.ORDER_PLACED: ORDER,
    MailKind.ORDER_PICKED: {
        "order_id": ORDER_ID,
        "currency": "USD",
        "changes": [
            {"name": "Apples", "ordered": 3, "picked": 2, "weight_kg": None, "substitute": None},
            {"name": "Beef", "ordered": 1, "picked": 1, "weight_kg": "0.540", "substitute": None},
            {
                "name": "Whole milk",
                "ordered": 1,
                "picked": 0,
                "weight_kg": None,
                "substitute": {"name": "Oat milk", "quantity": 1},
            },
        ],
        "checkout_total": "12.00",
        "total": "11.35",
    },
    MailKind.ORDER_SHIPPED: {"order_id": ORDER_ID},
    MailKind.ORDER_READY_FOR_COLLECTION: {"order_id": ORDER_ID, "pickup_point": "Main St"},
    MailKind.ORDER_CANCELLED: {"order_id": ORDER_ID, "currency": "USD", "total": "1.00"},
    MailKind.ORDER_REFUNDED: {"order_id": ORDER_ID, "currency": "USD", "amount": "0.60"},
    MailKind.BACK_IN_STOCK: {"product_name": "Oat milk"},
}


def write(kind: MailKind, facts: dict[str, Any] | None = None, to_name: str = "ann") -> Mail:
    templates = MailTemplates(store_name=STORE, public_url=URL + "/")
    letter = Letter(kind=kind, to="ann@example.com", to_name=to_name, facts=facts or FACTS[kind])
    return templates.write(letter, mail_id=uuid4())


@pytest.mark.parametrize("kind", list(MailKind))
def test_every_letter_has_a_subject_text_and_html_naming_the_store(kind: MailKind) -> None:
    mail = write(kind)

    assert STORE in mail.subject and "\n" not in mail.subject
    assert "Hello ann," in mail.text and STORE in mail.text
    assert mail.html.startswith("<!doctype html>") and "Hello ann," in mail.html
    assert STORE in mail.html
    if kind.value.startswith("order_"):
        assert ORDER_ID in mail.subject and ORDER_ID in mail.text and ORDER_ID in mail.html


@pytest.mark.parametrize(
    ("kind", "path"),
    [(MailKind.PASSWORD_RESET, "/reset-password"), (MailKind.VERIFY_EMAIL, "/verify-email")],
)
def test_account_links_start_with_the_public_url(kind: MailKind, path: str) -> None:
    mail = write(kind)

    link = f"{URL}{path}?token={TOKEN}"
    assert link in mail.text
    assert f'href="{link}"' in mail.html


def test_a_token_is_encoded_into_its_link() -> None:
    mail = write(MailKind.PASSWORD_RESET, {"token": "a b&c=d"})
    assert f"{URL}/reset-password?token=a+b%26c%3Dd" in mail.text
    assert f'href="{URL}/reset-password?token=a+b%26c%3Dd"' in mail.html


def test_the_order_placed_mail_lists_the_lines_and_totals() -> None:
    mail = write(MailKind.ORDER_PLACED)
    assert "2 x Bananas: 1.20 USD" in mail.text
    assert "Discount: -0.20 USD" in mail.text and "Total: 1.00 USD" in mail.text


def test_the_picking_mail_says_what_changed_and_the_final_amount() -> None:
    mail = write(MailKind.ORDER_PICKED)
    assert "Apples: ordered 3, picked 2" in mail.text
    assert "Beef: ordered 1, picked 1, weighing 0.540 kg" in mail.text
    assert "Whole milk: ordered 1, picked 0, replaced by 1 x Oat milk" in mail.text
    assert "Total at checkout: 12.00 USD" in mail.text and "Final total: 11.35 USD" in mail.text


def test_html_escapes_what_people_typed_and_plain_text_keeps_it() -> None:
    mail = write(MailKind.BACK_IN_STOCK, {"product_name": "<b>Oat</b> & milk"}, to_name="<i>ann")

    assert "<b>Oat</b>" not in mail.html and "&lt;b&gt;Oat&lt;/b&gt; &amp; milk" in mail.html
    assert "Hello &lt;i&gt;ann," in mail.html
    assert "<b>Oat</b> & milk is back in stock" in mail.text


def test_a_line_break_in_a_product_name_stays_out_of_the_subject_line() -> None:
    mail = write(MailKind.BACK_IN_STOCK, {"product_name": "Oat milk\r\nBcc: thief@evil.example"})
    assert mail.subject == f"Oat milk Bcc: thief@evil.example is back in stock at {STORE}"


def test_a_missing_fact_is_an_error_not_a_blank() -> None:
    with pytest.raises(UndefinedError):
        write(MailKind.PASSWORD_RESET, {"tokn": TOKEN})


# --- the MIME message ---------------------------------------------------------------------


def mail(to_name: str = "ann", subject: str = "Your order", to: str = "ann@example.com") -> Mail:
    return Mail(
        id=UUID(int=7), to=to, to_name=to_name, subject=subject, text="Hi", html="<p>Hi</p>"
    )


def sent(message: EmailMessage) -> EmailMessage:
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_the_message_id_comes_from_the_mail_id_under_the_senders_domain() -> None:
    message = sent(
        mime_message(mail(), sender="Shop <shop@corner.example>", domain="corner.example")
    )
    assert message["Message-ID"] == "<00000000-0000-0000-0000-000000000007@corner.example>"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]


@pytest.mark.parametrize("breaker", ["\r\n", "\n", "\r"])
def test_no_line_break_in_a_name_or_subject_starts_a_header(breaker: str) -> None:
    sneaky = f"ann{breaker}Bcc: thief@evil.example"
    message = mime_message(
        mail(to_name=sneaky, subject=f"Hi{breaker}X-Injected: yes"),
        sender="shop@corner.example",
        domain="corner.example",
    )

    parsed = sent(message)
    assert parsed["Bcc"] is None and parsed["X-Injected"] is None
    assert parsed["Subject"] == "Hi X-Injected: yes"
    assert parsed["To"].addresses[0].display_name == "ann Bcc: thief@evil.example"
    assert parsed["To"].addresses[0].addr_spec == "ann@example.com"


def test_the_email_policy_refuses_a_raw_line_break_in_a_header() -> None:
    """The second line of defence, should a value ever skip header_text."""
    message = mime_message(mail(), sender="shop@corner.example", domain="corner.example")
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        message["Reply-To"] = "x@example.com\r\nBcc: thief@evil.example"


def test_an_address_that_cannot_be_written_is_undeliverable() -> None:
    with pytest.raises(Undeliverable):
        mime_message(
            mail(to="ann@example.com\r\nBcc: x@evil.example"),
            sender="shop@corner.example",
            domain="corner.example",
        )


def test_header_text_folds_every_kind_of_line_break() -> None:
    assert header_text(" a\r\nb\n\tc\rd  e ") == "a b c d e"


def test_the_sender_domain_is_read_from_an_address_with_a_name() -> None:
    assert sender_domain("Corner Grocery <shop@corner.example>") == "corner.example"


# --- mailers ------------------------------------------------------------------------------


async def test_the_log_mailer_logs_recipient_and_subject_never_the_token() -> None:
    reset = write(MailKind.PASSWORD_RESET)

    with capture_logs() as logs:
        await LogMailer(domain="corner.example").send(reset)

    [entry] = logs
    assert entry["event"] == "mail.logged"
    assert (entry["to"], entry["subject"]) == ("ann@example.com", reset.subject)
    assert entry["message_id"] == f"<{reset.id}@corner.example>"
    assert TOKEN not in repr(entry)


def test_make_mailer_sends_over_smtp_only_when_a_server_is_named() -> None:
    assert isinstance(make_mailer("smtps://mail.example", sender="shop@corner.example"), SmtpMailer)
    assert isinstance(make_mailer(None, sender="shop@corner.example"), LogMailer)


@pytest.mark.parametrize(
    ("url", "port", "use_tls", "start_tls"),
    [
        ("smtp://mail.example", 25, False, False),
        ("smtp+starttls://mail.example", 587, False, True),
        ("smtps://mail.example", 465, True, False),
        ("smtp://mail.example:2525", 2525, False, False),
    ],
)
def test_smtp_urls_pick_the_port_and_tls(
    url: str, port: int, use_tls: bool, start_tls: bool
) -> None:
    server = SmtpServer.from_url(url)
    assert (server.host, server.port, server.use_tls, server.start_tls) == (
        "mail.example",
        port,
        use_tls,
        start_tls,
    )
    assert server.username is None and server.password is None


def test_smtp_url_credentials_are_percent_decoded_and_kept_out_of_repr() -> None:
    server = SmtpServer.from_url("smtp+starttls://shop:p%40ss%20w%3Ard@mail.example")
    assert (server.username, server.password) == ("shop", "p@ss w:rd")
    assert "p@ss" not in repr(server)


def test_an_smtp_url_of_another_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="smtp://"):
        SmtpServer.from_url("http://mail.example")
