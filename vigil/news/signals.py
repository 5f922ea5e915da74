"""Tags whose names make no address: an address from their number instead.

taggit makes a tag's slug from its name; a name of punctuation or symbols only
("!!!", "—", an emoji) gives "" (then "_1", "_2"), which no tag route matches, and
every sitemap that lists the tag's page failed. Editors type tags freely on an
update and mean them: the tag is kept, with the address "tag-<number>".
"""

import re
import uuid

from django.db.models.signals import post_save, pre_save

# A slug readers can follow has at least one letter or digit (of any script).
_MEANINGFUL = re.compile(r"[^\W_]")
# slugify never starts a slug with "_": no tag an editor named can look like it.
_PENDING = "_pending-"


# What taggit adds to a slug another tag has: "_1", "_2"...
_TAGGIT_SUFFIX = re.compile(r"_\d+$")


def slug_meaningless(slug: str) -> bool:
    return not _MEANINGFUL.search(_TAGGIT_SUFFIX.sub("", slug or ""))


def slug_for_number(*, model, pk: int) -> str:
    """`tag-<pk>`, or `tag-<pk>-2`... when an editor named another tag "tag <pk>"."""
    slug, number = f"tag-{pk}", 2
    while model._default_manager.filter(slug=slug).exclude(pk=pk).exists():
        slug, number = f"tag-{pk}-{number}", number + 1
    return slug


def on_tag_pre_save(sender, instance, **kwargs) -> None:
    # The number is known only once the row exists: a unique stand-in until then.
    if slug_meaningless(instance.slug):
        instance.slug = _PENDING + uuid.uuid4().hex


def on_tag_post_save(sender, instance, **kwargs) -> None:
    if instance.slug.startswith(_PENDING):
        instance.slug = slug_for_number(model=sender, pk=instance.pk)
        sender._default_manager.filter(pk=instance.pk).update(slug=instance.slug)


def tag_signals_connect() -> None:
    from taggit.models import Tag

    pre_save.connect(on_tag_pre_save, sender=Tag, dispatch_uid="vigil_tag_slug_pre")
    post_save.connect(on_tag_post_save, sender=Tag, dispatch_uid="vigil_tag_slug_post")
