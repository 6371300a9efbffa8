"""Render the demo corpus as the pages and API answers of the real platforms, for the real spiders to crawl.

URL layout (all relative to the server root; each source's ``url``/``options.base_url`` in ``configs/demo.yaml``):

| platform | URL | format |
|---|---|---|
| trustpilot | ``/trustpilot/review/<slug>?page=N`` | HTML with the ``__NEXT_DATA__`` JSON, 20 reviews a page |
| appstore | ``/appstore/<cc>/rss/customerreviews/page=N/id=<app>/sortby=mostrecent/json`` | RSS JSON, 50 a page |
| structured | ``/otzyvy/<slug>/?page=N`` | HTML with a schema.org Product + Review JSON-LD, ``rel=next`` |
| selectors | ``/forum/<slug>/page/N/`` | plain HTML read by ``molva/demo/demo_forum.yaml`` |
| reddit | ``/reddit/r/<sub>/search.json?q=<brand>&sort=new``, ``/reddit/r/<sub>/comments/<id>/<slug>.json`` | Listing |

Dates are shifted by ``shift_days`` (a whole number of weeks, so ISO weeks keep their weekdays) when the server wants
the corpus to end near today.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

TRUSTPILOT_PAGE = 20
APPSTORE_PAGE = 50
SITE_PAGE = 10
REDDIT_PAGE = 25


@dataclass(frozen=True)
class Page:
    """One HTTP answer."""

    status: int
    content_type: str
    body: bytes


def _html(body: str, status: int = 200) -> Page:
    return Page(status, "text/html; charset=utf-8", body.encode("utf-8"))


def _json(data: Any, status: int = 200) -> Page:
    return Page(status, "application/json; charset=utf-8", json.dumps(data, ensure_ascii=False).encode("utf-8"))


NOT_FOUND = Page(404, "text/plain; charset=utf-8", b"not found")


class DemoSite:
    """All demo sources of a corpus, answering GET requests by path and query string."""

    def __init__(self, corpus: dict[str, Any], shift_days: int = 0) -> None:
        self.corpus = corpus
        self.shift = timedelta(days=shift_days)
        self.by_key: dict[tuple[str, str], dict[str, Any]] = {}
        for source in corpus["sources"]:
            opts = source.get("options") or {}
            key = opts.get("app_id") if source["platform"] == "appstore" else opts.get("slug") or source["brand"]
            self.by_key[(source["platform"], str(key))] = source
        self.threads = {
            r["id"][:7]: (source, r) for source in corpus["sources"] if source["platform"] == "reddit"
            for r in source["reviews"]
        }  # fmt: skip

    # -- helpers -------------------------------------------------------------------------------------------------
    def _at(self, iso: str | None) -> datetime | None:
        if not iso:
            return None
        return datetime.fromisoformat(iso.rstrip("Z")) + self.shift

    def _iso(self, iso: str | None) -> str | None:
        at = self._at(iso)
        return at.strftime("%Y-%m-%dT%H:%M:%S.000Z") if at else None

    def _brand(self, source: dict[str, Any], lang: str = "en") -> str:
        return str(self.corpus["brands"][source["brand"]][lang])

    # -- routing ---------------------------------------------------------------------------------------------------
    def get(self, path: str, query: str = "") -> Page:
        """The answer to ``GET path?query``."""
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        parts = [p for p in path.split("/") if p]
        try:
            if path == "/robots.txt":
                return Page(200, "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n")
            if not parts:
                return self.index()
            if parts[0] == "trustpilot" and len(parts) == 3 and parts[1] == "review":
                return self.trustpilot(parts[2], int(params.get("page", "1")))
            if parts[0] == "appstore" and len(parts) >= 7:
                page = int(parts[4].removeprefix("page="))
                return self.appstore(parts[5].removeprefix("id="), page)
            if parts[0] == "otzyvy" and len(parts) == 2:
                return self.structured(parts[1], int(params.get("page", "1")))
            if parts[0] == "forum" and len(parts) in (2, 4):
                return self.forum(parts[1], int(parts[3]) if len(parts) == 4 else 1)
            if parts[0] == "reddit" and parts[-1] == "search.json":
                return self.reddit_search(params.get("q", ""), params.get("after"), path)
            if parts[0] == "reddit" and len(parts) >= 5 and parts[3] == "comments":
                return self.reddit_thread(parts[4])
        except ValueError:
            return Page(400, "text/plain; charset=utf-8", b"bad page number")
        return NOT_FOUND

    def index(self) -> Page:
        rows = "".join(
            f"<li>{html.escape(s['id'])} ({s['platform']}, {len(s['reviews'])} items)</li>"
            for s in self.corpus["sources"]
        )
        return _html(f"<!doctype html><html><body><h1>Molva demo corpus</h1><ul>{rows}</ul></body></html>")

    # -- trustpilot --------------------------------------------------------------------------------------------------
    def trustpilot(self, slug: str, page: int) -> Page:
        source = self.by_key.get(("trustpilot", slug))
        if source is None:
            return NOT_FOUND
        reviews = source["reviews"]
        total_pages = max(1, -(-len(reviews) // TRUSTPILOT_PAGE))
        chunk = reviews[(page - 1) * TRUSTPILOT_PAGE : page * TRUSTPILOT_PAGE]
        stars = sum(r["rating"] for r in reviews) / len(reviews)
        data = {
            "props": {
                "pageProps": {
                    "businessUnit": {
                        "identifyingName": slug,
                        "displayName": self._brand(source),
                        "numberOfReviews": len(reviews),
                        "trustScore": round(stars, 1),
                        "stars": round(stars * 2) / 2,
                    },
                    "reviews": [self._trustpilot_review(r) for r in chunk],
                    "filters": {"pagination": {"currentPage": page, "totalPages": total_pages, "perPage": 20}},
                }
            },
            "page": "/review/[businessUnit]",
        }
        payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        title = html.escape(f"{self._brand(source)} Reviews | Read Customer Service Reviews of {slug}")
        return _html(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div id="__next"><h1>{html.escape(self._brand(source))}</h1></div>'
            f'<script id="__NEXT_DATA__" type="application/json">{payload}</script></body></html>'
        )

    def _trustpilot_review(self, r: dict[str, Any]) -> dict[str, Any]:
        published = self._iso(r["published_at"])
        reply = {"message": r["reply_text"], "publishedDate": self._iso(r["reply_at"])} if r.get("reply_text") else None
        return {
            "id": r["id"],
            "title": r["title"],
            "text": r["text"],
            "rating": r["rating"],
            "language": r["lang"],
            "likes": r["n"] % 4,
            "dates": {"publishedDate": published, "experiencedDate": published, "updatedDate": None},
            "consumer": {"displayName": r["author"], "countryCode": "RU", "numberOfReviews": 1 + r["n"] % 3},
            "labels": {"verification": {"isVerified": r["n"] % 3 != 0}},
            "reply": reply,
        }

    # -- app store -------------------------------------------------------------------------------------------------
    def appstore(self, app_id: str, page: int) -> Page:
        source = self.by_key.get(("appstore", app_id))
        if source is None:
            return NOT_FOUND
        chunk = source["reviews"][(page - 1) * APPSTORE_PAGE : page * APPSTORE_PAGE] if 1 <= page <= 10 else []
        entries = [
            {
                "author": {"uri": {"label": f"https://itunes.apple.com/ru/reviews/id{r['id'][:9]}"},
                           "name": {"label": r["author"]}, "label": ""},
                "updated": {"label": (self._at(r["published_at"]) or datetime.min).strftime("%Y-%m-%dT%H:%M:%S-07:00")},
                "im:rating": {"label": str(r["rating"])},
                "im:version": {"label": f"5.{1 + r['n'] // 40}.0"},
                "id": {"label": str(10_000_000_000 + int(r["id"][:8], 16))},
                "title": {"label": r["title"]},
                "content": {"label": r["text"], "attributes": {"type": "text"}},
                "link": {"attributes": {"rel": "related",
                                        "href": f"https://apps.apple.com/ru/app/id{app_id}?see-all=reviews"}},
                "im:voteSum": {"label": str(r["n"] % 5)},
                "im:contentType": {"attributes": {"term": "Application", "label": "Application"}},
                "im:voteCount": {"label": str(r["n"] % 7)},
            }
            for r in chunk
        ]  # fmt: skip
        feed: dict[str, Any] = {
            "author": {"name": {"label": "iTunes Store"}, "uri": {"label": "http://www.apple.com/ru/itunes/"}},
            "title": {"label": "iTunes Store: Customer Reviews"},
            "id": {"label": f"https://itunes.apple.com/ru/rss/customerreviews/page={page}/id={app_id}/json"},
        }
        if entries:
            feed["entry"] = entries
        return _json({"feed": feed})

    # -- structured (schema.org JSON-LD) ------------------------------------------------------------------------------
    def structured(self, slug: str, page: int) -> Page:
        source = self.by_key.get(("structured", slug))
        if source is None:
            return NOT_FOUND
        reviews = source["reviews"]
        chunk = reviews[(page - 1) * SITE_PAGE : page * SITE_PAGE]
        name = self._brand(source, "ru")
        product = {
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": name,
            "aggregateRating": {
                "@type": "AggregateRating",
                "ratingValue": round(sum(r["rating"] for r in reviews) / len(reviews), 2),
                "reviewCount": len(reviews),
                "bestRating": 5,
                "worstRating": 1,
            },
            "review": [self._schema_review(slug, r) for r in chunk],
        }
        payload = json.dumps(product, ensure_ascii=False).replace("</", "<\\/")
        has_next = page * SITE_PAGE < len(reviews)
        link = f'<link rel="next" href="?page={page + 1}">' if has_next else ""
        items = "".join(
            f"<article><h3>{html.escape(r['title'])}</h3><p>{html.escape(r['text'])}</p></article>" for r in chunk
        )
        return _html(
            f'<!doctype html><html lang="ru"><head><meta charset="utf-8">'
            f"<title>Отзывы о {html.escape(name)}</title>"
            f'{link}<script type="application/ld+json">{payload}</script></head>'
            f"<body><h1>Отзывы о {html.escape(name)}</h1>{items}</body></html>"
        )

    def _schema_review(self, slug: str, r: dict[str, Any]) -> dict[str, Any]:
        node: dict[str, Any] = {
            "@type": "Review",
            "@id": f"https://otzyvy.example/{slug}/review/{r['id']}",
            "url": f"https://otzyvy.example/{slug}/review/{r['id']}",
            "name": r["title"],
            "reviewBody": r["text"],
            "inLanguage": r["lang"],
            "datePublished": self._iso(r["published_at"]),
            "author": {"@type": "Person", "name": r["author"]},
            "reviewRating": {"@type": "Rating", "ratingValue": r["rating"], "bestRating": 5, "worstRating": 1},
        }
        if r.get("reply_text"):
            node["comment"] = {"@type": "Comment", "text": r["reply_text"], "dateCreated": self._iso(r["reply_at"])}
        return node

    # -- selectors forum -----------------------------------------------------------------------------------------------
    def forum(self, slug: str, page: int) -> Page:
        source = self.by_key.get(("selectors", slug))
        if source is None:
            return NOT_FOUND
        reviews = source["reviews"]
        chunk = reviews[(page - 1) * SITE_PAGE : page * SITE_PAGE]
        blocks = []
        for r in chunk:
            at = self._at(r["published_at"])
            reply = ""
            if r.get("reply_text"):
                reply_at = self._at(r.get("reply_at"))
                reply = (
                    f'<div class="official-reply"><b>Ответ компании</b> '
                    f'<time datetime="{reply_at.isoformat() + "Z" if reply_at else ""}">'
                    f"{_ru_date(reply_at) if reply_at else ''}</time><p>{html.escape(r['reply_text'])}</p></div>"
                )
            blocks.append(
                f'<div class="review" data-id="{r["id"]}">'
                f'<h3 class="review-title"><a class="permalink" href="/forum/{slug}/review/{r["id"]}/">'
                f"{html.escape(r['title'])}</a></h3>"
                f'<div class="meta"><span class="user">{html.escape(r["author"])}</span> · '
                f'<time datetime="{at.isoformat() + "Z" if at else ""}">{_ru_date(at) if at else ""}</time> · '
                f'<span class="score">Оценка: {r["rating"]} из 5</span></div>'
                f'<div class="review-body"><p>{html.escape(r["text"])}</p></div>{reply}</div>'
            )
        nav = ""
        if page * SITE_PAGE < len(reviews):
            nav = f'<a class="next" href="/forum/{slug}/page/{page + 1}/">Дальше →</a>'
        name = html.escape(self._brand(source, "ru"))
        return _html(
            f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Форум: {name}</title></head>'
            f'<body><h1>Обсуждение: {name}</h1>{"".join(blocks)}<nav class="pager">{nav}</nav></body></html>'
        )

    # -- reddit ---------------------------------------------------------------------------------------------------
    def reddit_search(self, q: str, after: str | None, path: str) -> Page:
        source = self.by_key.get(("reddit", q.lower()))
        if source is None:
            return _json({"kind": "Listing", "data": {"after": None, "before": None, "children": [], "dist": 0}})
        posts = source["reviews"]
        start = 0
        if after:
            ids = [f"t3_{r['id'][:7]}" for r in posts]
            start = ids.index(after) + 1 if after in ids else len(posts)
        chunk = posts[start : start + REDDIT_PAGE]
        more = start + REDDIT_PAGE < len(posts)
        children = [{"kind": "t3", "data": self._reddit_post(source, r)} for r in chunk]
        return _json({
            "kind": "Listing",
            "data": {"after": f"t3_{chunk[-1]['id'][:7]}" if more and chunk else None, "before": None,
                     "dist": len(children), "children": children},
        })  # fmt: skip

    def _reddit_post(self, source: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
        sub = (source.get("options") or {}).get("subreddit", "demo")
        short = r["id"][:7]
        at = self._at(r["published_at"])
        return {
            "name": f"t3_{short}",
            "id": short,
            "subreddit": sub,
            "title": r["title"],
            "selftext": r["text"],
            "author": r["author"].replace(" ", "_").replace(".", ""),
            "created_utc": at.timestamp() if at else None,
            "score": 1 + r["n"] % 40,
            "num_comments": len(r.get("comments", [])),
            "permalink": f"/r/{sub}/comments/{short}/post/",
            "url": f"https://www.reddit.com/r/{sub}/comments/{short}/post/",
        }

    def reddit_thread(self, short: str) -> Page:
        found = self.threads.get(short)
        if found is None:
            return NOT_FOUND
        source, post = found
        data = self._reddit_post(source, post)
        comments = []
        for c in post.get("comments", []):
            at = self._at(c["published_at"])
            comment = {
                "name": f"t1_{c['id']}",
                "id": c["id"],
                "body": c["text"],
                "author": c["author"].replace(" ", "_"),
                "created_utc": at.timestamp() if at else None,
                "score": 1,
                "parent_id": data["name"],
                "link_id": data["name"],
                "subreddit": data["subreddit"],
                "permalink": f"{data['permalink']}{c['id']}/",
                "replies": "",
            }
            comments.append({"kind": "t1", "data": comment})
        listing = {"kind": "Listing", "data": {"after": None, "children": [{"kind": "t3", "data": data}]}}
        return _json([listing, {"kind": "Listing", "data": {"after": None, "children": comments}}])


_RU_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря"]  # fmt: skip


def _ru_date(at: datetime) -> str:
    """``12 октября 2026, 14:05`` as Russian sites print dates."""
    return f"{at.day} {_RU_MONTHS[at.month - 1]} {at.year}, {at:%H:%M}"


def reddit_search_path(subreddit: str, brand: str) -> str:
    """The search listing path of a brand's mentions (what a reddit source's URL points at)."""
    return f"/reddit/r/{subreddit}/search.json?" + urlencode({"q": brand, "restrict_sr": 1, "sort": "new"})
