"""E-mail: the digest goes out as HTML with a plain-text alternative (PDF attached) to a local SMTP server on 127.0.0.1;
and the CLI renders and sends it end to end."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from digest_fixture import FixtureInfo
from typer.testing import CliRunner

from molva.cli.main import app
from molva.digest.render import DigestResult
from molva.digest.send import SmtpConfigError, SmtpSettings, send_digest


class _Inbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Inbox]]:
    controller_mod = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is needed for the local SMTP server")
    inbox = _Inbox()
    port = _free_port()
    controller = controller_mod.Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def test_settings_from_env() -> None:
    s = SmtpSettings.from_env({"MOLVA_SMTP_HOST": "mail.example", "MOLVA_SMTP_USER": "cx", "MOLVA_SMTP_PASSWORD": "pw"})
    assert (s.host, s.port, s.starttls, s.ssl, s.user, s.sender) == (
        "mail.example",
        587,
        True,
        False,
        "cx",
        "molva@localhost",
    )
    s = SmtpSettings.from_env({"MOLVA_SMTP_HOST": "h", "MOLVA_SMTP_SSL": "true"})
    assert (s.port, s.ssl, s.starttls) == (465, True, False)
    s = SmtpSettings.from_env({"MOLVA_SMTP_HOST": "h", "MOLVA_SMTP_STARTTLS": "false", "MOLVA_SMTP_PORT": "2525"})
    assert (s.port, s.starttls) == (2525, False)
    with pytest.raises(SmtpConfigError, match="MOLVA_SMTP_HOST"):
        SmtpSettings.from_env({})
    with pytest.raises(SmtpConfigError, match="MOLVA_SMTP_PORT='x'"):
        SmtpSettings.from_env({"MOLVA_SMTP_HOST": "h", "MOLVA_SMTP_PORT": "x"})
    with pytest.raises(SmtpConfigError, match="MOLVA_SMTP_STARTTLS"):
        SmtpSettings.from_env({"MOLVA_SMTP_HOST": "h", "MOLVA_SMTP_STARTTLS": "maybe"})


def test_send_html_with_text_alternative(rendered: dict[str, DigestResult], smtp_server: tuple[int, _Inbox]) -> None:
    port, inbox = smtp_server
    result = rendered["ru"]
    settings = SmtpSettings(host="127.0.0.1", port=port, starttls=False, sender="molva@lastochka.example")
    send_digest(result, ["cx@lastochka.example", "board@lastochka.example"], smtp=settings)
    assert len(inbox.messages) == 1
    rcpts, raw = inbox.messages[0]
    assert rcpts == ["cx@lastochka.example", "board@lastochka.example"]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    subject = str(msg["Subject"])
    # the key figure leads the subject: the 4-week average rating, its change and the rank
    assert re.match(r"Ласточка: \d,\d\d★ \([+−]\d,\d\d к 4 неделям до того\)", subject), subject
    assert subject.endswith("Еженедельный обзор репутации 2026-W47")
    assert msg["From"] == "molva@lastochka.example"
    body = msg.get_body(preferencelist=("html",))
    plain = msg.get_body(preferencelist=("plain",))
    assert body is not None and plain is not None
    html = body.get_content()
    assert "<svg" not in html and "<style" not in html and "<script" not in html
    assert 'width="600"' in html and result.preview in html.replace("&nbsp;", "\u00a0")
    assert len(html.encode("utf-8")) < 100_000
    # every link is absolute http(s): no relative SQL paths, no in-page anchors, no file:// paths
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs), hrefs
    # charts: PNG parts with a Content-ID, each referenced by cid: from the HTML
    cids = re.findall(r'src="cid:([^"]+)"', html)
    parts = {str(p["Content-ID"]).strip("<>"): p for p in msg.walk() if p.get_content_type() == "image/png"}
    assert len(cids) >= 4 and set(cids) == set(parts)
    assert all(p.get_content()[:8] == b"\x89PNG\r\n\x1a\n" for p in parts.values())
    text = plain.get_content()
    for heading in ("Вывод недели", "Ключевые показатели", "Сравнение с конкурентами", "Динамика", "Рекомендации"):
        assert f"== {heading} ==" in text, heading
    attachments = [
        part.get_filename() for part in msg.iter_attachments() if part.get_content_type() == "application/pdf"
    ]
    assert attachments == ["digest-lastochka-2026-W47-ru.pdf"]


def test_send_needs_recipients(rendered: dict[str, DigestResult]) -> None:
    with pytest.raises(ValueError, match="no recipients"):
        send_digest(rendered["en"], [], smtp=SmtpSettings(host="127.0.0.1"))


def test_cli_renders_and_sends(
    fixture_db: FixtureInfo, tmp_path: Path, smtp_server: tuple[int, _Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, inbox = smtp_server
    monkeypatch.setenv("MOLVA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MOLVA_SMTP_PORT", str(port))
    monkeypatch.setenv("MOLVA_SMTP_STARTTLS", "false")
    monkeypatch.setenv("MOLVA_CONFIG", str(tmp_path / "no-config.yaml"))  # no config: defaults and the marts' own brand
    out = tmp_path / "reports"
    args = ["digest", "--db", str(fixture_db.path), "--out", str(out), "--lang", "en", "--week", "2026-W46"]
    result = CliRunner().invoke(app, [*args, "--format", "html,md", "--send", "--to", "cx@example.org"])
    assert result.exit_code == 0, result.output
    assert (out / "digest-lastochka-2026-W46-en.html").exists() and (out / "digest-lastochka-2026-W46-en.md").exists()
    assert (out / "digest-lastochka-2026-W46-en-sql" / "headline.sql").exists()
    assert "sent to cx@example.org" in result.output
    assert len(inbox.messages) == 1


def test_cli_reports_problems(fixture_db: FixtureInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOLVA_CONFIG", str(tmp_path / "no-config.yaml"))
    runner = CliRunner()
    bad_week = runner.invoke(
        app, ["digest", "--db", str(fixture_db.path), "--out", str(tmp_path), "--week", "2030-W01"]
    )
    assert bad_week.exit_code == 1 and "no data for brand 'lastochka' in 2030-W01" in bad_week.output
    bad_format = runner.invoke(app, ["digest", "--db", str(fixture_db.path), "--format", "docx"])
    assert bad_format.exit_code == 2
    monkeypatch.delenv("MOLVA_SMTP_HOST", raising=False)
    no_smtp = runner.invoke(
        app, ["digest", "--db", str(fixture_db.path), "--out", str(tmp_path), "--send", "--to", "a@b.example"]
    )
    assert no_smtp.exit_code == 1 and "MOLVA_SMTP_HOST" in no_smtp.output
