"""Send queued or interrupted mailings, showing progress; `serve` runs this on its own."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigil.actions import services
from vigil.news.models import UpdatePage


class Command(BaseCommand):
    help = _("Send queued email updates to subscribers, resuming any send that was cut off.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            type=int,
            metavar="PAGE_ID",
            help=_(
                "First queue this published update (its page ID) for every language's subscribers."
            ),
        )

    def handle(self, *args, queue=None, **options):
        if queue is not None:
            page = UpdatePage.objects.filter(pk=queue).first()
            if page is None:
                raise CommandError(_("No update has the page ID %(id)s.") % {"id": queue})
            try:
                services.mailings_queue(page=page, user=None)
            except services.MailingRefused as error:
                raise CommandError(error.message) from None

        def progress(state: services.MailingProgress):
            width = 30
            done = int(width * state.sent / state.total) if state.total else width
            self.stdout.write(
                "\r[{}{}] {}/{} {}".format(
                    "#" * done,
                    "." * (width - done),
                    state.sent,
                    state.total,
                    state.mailing.subject[:40],
                ),
                ending="",
            )
            self.stdout.flush()

        try:
            finished = services.mailings_process(
                progress=progress if options["verbosity"] > 0 else None
            )
        except OSError as exc:  # includes SMTP errors: the send resumes on the next run
            raise CommandError(
                _("Sending stopped: %(error)s. Run the command again to resume.") % {"error": exc}
            ) from exc
        if options["verbosity"] > 0:
            if finished:
                self.stdout.write("")
            self.stdout.write(
                ngettext("%(count)s mailing finished.", "%(count)s mailings finished.", finished)
                % {"count": finished}
            )
