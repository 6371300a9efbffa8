"""The e-mail rendering of the digest: a 600 px table layout with its CSS inlined, PNG charts by Content-ID.

Mail clients drop ``<style>`` blocks (Gmail removes the whole block when one rule is nested, such as ``@page``), show
no inline SVG and cannot follow relative links, so the e-mail is its own document, not the web page: the template
``digest.email.html.j2`` is rendered, then css-inline moves every rule into ``style`` attributes and removes the
``<style>`` block; the charts are drawn as PNGs (:mod:`molva.digest.png`) and referenced as ``cid:``; links are
absolute (reviews' own URLs; the SQL queries under ``digest.base_url`` when it is configured, else named as text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from molva.digest import png
from molva.digest.links import join_url

MAX_HTML_BYTES = 100_000  # Gmail clips a message body at about 102 KB


@dataclass
class EmailDigest:
    """The e-mail's HTML (CSS inlined), its PNG images by Content-ID, and the preview line."""

    html: str
    images: dict[str, bytes] = field(default_factory=dict)
    preview: str = ""


def chart_images(context: dict[str, Any], *, domain: str) -> dict[str, tuple[str, bytes]]:
    """``key -> (content id, PNG bytes)`` for the trend and competitor charts that have data."""
    s = context["scope"]
    f = s.f
    data = context["trends"]["data"]
    labels = data["labels"]
    out: dict[str, bytes] = {}
    if data["rating"]:
        out["rating"] = png.line_png(labels, data["rating"], y_format=lambda v: f.number(v, 1), y_clamp=(1, 5))
    if data["sentiment"]:
        out["sentiment"] = png.line_png(labels, data["sentiment"], y_format=f.signed, y_clamp=(-100, 100))
    if data["volume"]:
        out["volume"] = png.stacked_png(labels, data["volume"], y_format=lambda v: f.number(v))
    competition = context["competition"]
    if competition.get("available") and competition.get("groups"):
        out["competitors"] = png.grouped_png(competition["groups"], value_format=lambda v: f.number(v))
    stem = f"{s.brand_id}.{s.iso_week}.{s.lang}".replace("_", "-")
    return {key: (f"{key}.{stem}@{domain}", image) for key, image in out.items()}


def render_email(env: Any, common: dict[str, Any], *, base_url: str | None, queries_dir: str) -> EmailDigest:
    """Render and inline the e-mail HTML; raises ``ValueError`` when it would exceed :data:`MAX_HTML_BYTES`."""
    import css_inline

    images = chart_images(common, domain="molva")

    def sql_url(name: str) -> str | None:
        return join_url(base_url, queries_dir, f"{name}.sql")

    values = {**common, "sql_url": sql_url, "images": {key: cid for key, (cid, _) in images.items()}}
    raw = env.get_template("digest.email.html.j2").render(**values)
    inliner = css_inline.CSSInliner(keep_style_tags=False, keep_link_tags=False, load_remote_stylesheets=False)
    html = inliner.inline(raw)
    size = len(html.encode("utf-8"))
    if size > MAX_HTML_BYTES:
        raise ValueError(f"the e-mail HTML is {size} bytes, over the {MAX_HTML_BYTES} byte limit mail clients clip at")
    return EmailDigest(
        html=html, images={cid: image for cid, image in images.values()}, preview=common["brief"]["preview"]
    )
