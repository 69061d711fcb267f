"""The MailWriter on Jinja2: `templates/<kind>.txt` and `<kind>.html` for each kind of letter.

The plain-text template also sets the subject (`{% set subject %}...{% endset %}`), so one
file holds a message's words and its subject line. HTML is autoescaped, plain text is not.
Every template sees the letter's facts, `to_name`, `store_name`, `public_url`, and
`link(path, **query)`, which builds a link into the storefront.
"""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from grocery.core.mail import Letter, Mail, header_text


class MailTemplates:
    def __init__(self, *, store_name: str, public_url: str) -> None:
        self._public_url = public_url.rstrip("/")
        # StrictUndefined: a fact a template names but the letter lacks is a bug to see,
        # not a blank to mail.
        self._env = Environment(
            loader=PackageLoader("grocery.adapters.mail"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._env.globals.update(store_name=store_name, public_url=self._public_url, link=self.link)

    def link(self, path: str, **query: str) -> str:
        """A storefront address: the public URL, the path, and the query encoded."""
        return f"{self._public_url}{path}" + (f"?{urlencode(query)}" if query else "")

    def write(self, letter: Letter, *, mail_id: UUID) -> Mail:
        facts = {**letter.facts, "to_name": letter.to_name}
        text = self._env.get_template(f"{letter.kind}.txt").make_module(facts)
        html = self._env.get_template(f"{letter.kind}.html").render(facts)
        return Mail(
            id=mail_id,
            to=letter.to,
            to_name=letter.to_name,
            subject=header_text(str(getattr(text, "subject"))),  # noqa: B009 - set by the template
            text=str(text),
            html=html,
        )
