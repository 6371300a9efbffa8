"""E-mail the digest: HTML with a plain-text alternative (and the PDF attached when one was rendered), over SMTP.

Settings come from ``MOLVA_SMTP_*`` environment variables (docs/digest.md), never from config files, so credentials
stay out of the repository.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from molva.digest.render import DigestResult

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SmtpConfigError(ValueError):
    """An SMTP environment variable is missing or malformed; the message names it."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: server, port, optional login, sender address, STARTTLS or implicit TLS."""

    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str = "molva@localhost"
    starttls: bool = True
    ssl: bool = False
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings:
        """Read ``MOLVA_SMTP_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``, ``_SENDER``, ``_STARTTLS`` and ``_SSL``."""
        env = os.environ if env is None else env
        host = env.get("MOLVA_SMTP_HOST", "").strip()
        if not host:
            raise SmtpConfigError("MOLVA_SMTP_HOST is not set: name the SMTP server to send the digest through")
        starttls = _flag(env, "MOLVA_SMTP_STARTTLS", True)
        use_ssl = _flag(env, "MOLVA_SMTP_SSL", False)
        port_text = env.get("MOLVA_SMTP_PORT", "").strip()
        default_port = 465 if use_ssl else (587 if starttls else 25)
        try:
            port = int(port_text) if port_text else default_port
        except ValueError:
            raise SmtpConfigError(f"MOLVA_SMTP_PORT={port_text!r} is not a port number") from None
        if not 0 < port < 65536:
            raise SmtpConfigError(f"MOLVA_SMTP_PORT={port} is out of range 1..65535")
        return cls(
            host=host,
            port=port,
            user=env.get("MOLVA_SMTP_USER") or None,
            password=env.get("MOLVA_SMTP_PASSWORD") or None,
            sender=env.get("MOLVA_SMTP_SENDER") or "molva@localhost",
            starttls=starttls and not use_ssl,
            ssl=use_ssl,
        )


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise SmtpConfigError(f"{name}={value!r}: use true or false")


def build_message(result: DigestResult, recipients: Sequence[str], sender: str) -> EmailMessage:
    """The e-mail: plain text first, HTML (with its PNG charts) as the preferred alternative, the PDF attached."""
    message = EmailMessage()
    message["Subject"] = result.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Content-Language"] = result.lang
    message.set_content(result.text, subtype="plain", charset="utf-8")
    # the e-mail rendering (molva/digest/mail.py), not the web page: inlined CSS, PNG charts as related cid: parts
    message.add_alternative(result.email_html or result.html, subtype="html", charset="utf-8")
    html_part = message.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    for cid, image in result.images.items():
        html_part.add_related(
            image, maintype="image", subtype="png", cid=f"<{cid}>", filename=cid.split("@")[0] + ".png"
        )
    pdf = result.paths.get("pdf")
    if pdf is not None and pdf.exists():
        message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name)
    return message


def send_digest(result: DigestResult, recipients: Sequence[str], *, smtp: SmtpSettings | None = None) -> None:
    """Send the rendered digest to ``recipients``. ``smtp=None`` reads :meth:`SmtpSettings.from_env` now."""
    recipients = [r.strip() for r in recipients if r and r.strip()]
    if not recipients:
        raise ValueError("no recipients: pass --to or set digest.recipients in the config")
    settings = smtp or SmtpSettings.from_env()
    message = build_message(result, recipients, settings.sender)
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.ssl:
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        client.ehlo()
        if settings.starttls and not settings.ssl:
            client.starttls(context=context)
            client.ehlo()
        if settings.user:
            client.login(settings.user, settings.password or "")
        client.send_message(message, from_addr=settings.sender, to_addrs=recipients)
