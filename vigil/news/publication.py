"""A scheduled update is dated when it goes live, unless its editor dated it later.

An update's publication date defaults to the moment the editor opened the form. An
update written today and scheduled for Monday would otherwise go out dated today and
sink below everything published in between, in the list, the feeds and the emails.
"""

from django.db.models.signals import ModelSignal
from wagtail.signals import page_published

from .models import UpdatePage


def update_dated_at_go_live(*, update, revision) -> None:
    """On first publication by a go-live time, a date before it becomes the go-live time.

    A date the editor set at or after the go-live time is kept; so is the date of an
    update published before (a correction rescheduled must not jump the list).
    """
    go_live = update.go_live_at
    first_publication = update.first_published_at == update.last_published_at
    if go_live is None or not first_publication or update.date >= go_live:
        return
    update.date = go_live
    type(update).objects.filter(pk=update.pk).update(date=go_live)
    if revision is not None:
        # The next edit opens this revision: it must show the date readers see.
        revision.content["date"] = go_live.isoformat()
        revision.save(update_fields=["content"])


def on_page_published(sender, instance, revision=None, **kwargs) -> None:
    # The signal fires for every page type.
    if isinstance(instance, UpdatePage):
        update_dated_at_go_live(update=instance, revision=revision)


def publication_signals_connect(signal: ModelSignal = page_published) -> None:
    signal.connect(on_page_published, dispatch_uid="vigil_news_dated_at_go_live")
