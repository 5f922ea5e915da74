"""Small WordPress exports made for one test each, in the shape WordPress 6 writes them.

The real export in fixtures/ covers a whole site; these hold only the items a test is
about, so that what the test checks is visible in the test itself.
"""

import datetime as dt
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

BASE = "http://old.example.org"
# The fixtures' site is in Asia/Almaty: local time is UTC + 6.
OFFSET = dt.timedelta(hours=6)


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def item(
    *,
    wp_id: int,
    title: str,
    content: str = "",
    excerpt: str = "",
    post_type: str = "post",
    status: str = "publish",
    slug: str | None = None,
    date: str = "2022-03-15 09:00:00",
    sticky: bool = False,
    parent: int = 0,
    author: str = "editor",
    tags: tuple[tuple[str, str], ...] = (),
    categories: tuple[tuple[str, str], ...] = (),
    attachment: str = "",
) -> str:
    """One `<item>`. `date` is the site's local time; `tags` and `categories` are
    (slug, name) pairs; `attachment` is the path of an upload under wp-content/uploads."""
    local = dt.datetime.fromisoformat(date)
    gmt = (local - OFFSET).strftime("%Y-%m-%d %H:%M:%S") if status != "draft" else ""
    slug = slug if slug is not None else ""
    if post_type == "post" and status == "publish" and slug:
        link = f"{BASE}{local:/%Y/%m/%d}/{slug}/"
    elif post_type == "page" and slug:
        link = f"{BASE}/{slug}/"
    else:
        link = f"{BASE}/?p={wp_id}"
    terms = "".join(
        f"<category domain={quoteattr(domain)} nicename={quoteattr(nicename)}>"
        f"{_cdata(name)}</category>\n"
        for domain, pairs in (("post_tag", tags), ("category", categories))
        for nicename, name in pairs
    )
    upload = ""
    if attachment:
        upload = (
            f"<wp:attachment_url>{_cdata(f'{BASE}/wp-content/uploads/{attachment}')}"
            "</wp:attachment_url>\n<wp:postmeta><wp:meta_key>"
            f"{_cdata('_wp_attached_file')}</wp:meta_key><wp:meta_value>{_cdata(attachment)}"
            "</wp:meta_value></wp:postmeta>\n"
        )
    return f"""<item>
<title>{_cdata(title)}</title>
<link>{escape(link)}</link>
<dc:creator>{_cdata(author)}</dc:creator>
<content:encoded>{_cdata(content)}</content:encoded>
<excerpt:encoded>{_cdata(excerpt)}</excerpt:encoded>
<wp:post_id>{wp_id}</wp:post_id>
<wp:post_date>{_cdata(date)}</wp:post_date>
<wp:post_date_gmt>{_cdata(gmt)}</wp:post_date_gmt>
<wp:post_modified>{_cdata(date)}</wp:post_modified>
<wp:post_modified_gmt>{_cdata(gmt)}</wp:post_modified_gmt>
<wp:post_name>{_cdata(slug)}</wp:post_name>
<wp:status>{_cdata(status)}</wp:status>
<wp:post_parent>{parent}</wp:post_parent>
<wp:menu_order>0</wp:menu_order>
<wp:post_type>{_cdata(post_type)}</wp:post_type>
<wp:post_password>{_cdata("")}</wp:post_password>
<wp:is_sticky>{1 if sticky else 0}</wp:is_sticky>
{upload}{terms}</item>
"""


def export(*items: str, base: str = BASE) -> str:
    """A whole WXR 1.2 file around `items`, with two authors."""
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
<title>Free Test Person</title>
<link>{escape(base)}</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>{escape(base)}</wp:base_site_url>
<wp:base_blog_url>{escape(base)}</wp:base_blog_url>
<wp:author><wp:author_login>{_cdata("editor")}</wp:author_login>
<wp:author_display_name>{_cdata("Campaign team")}</wp:author_display_name></wp:author>
<wp:author><wp:author_login>{_cdata("dana")}</wp:author_login>
<wp:author_display_name>{_cdata("Dana Nurlanovna")}</wp:author_display_name></wp:author>
{"".join(items)}</channel>
</rss>
"""


def export_file(directory: Path, *items: str, name: str = "export.xml", **options) -> Path:
    path = directory / name
    path.write_text(export(*items, **options), encoding="utf-8")
    return path
