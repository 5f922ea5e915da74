"""Send a signed copy to buckets and folders: `manage.py publish_mirror DIR TARGET...`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigil.mirror import services

TARGET_HELP = _(
    "s3://bucket/prefix (MIRROR_S3_* settings; ?provider=NAME for another provider's) "
    "or a folder's path, for rsync."
)


def targets_parse(*, specs: list[str], directory: Path) -> list[services.PublishTarget]:
    """The targets, or a CommandError naming the first bad one (before any work)."""
    try:
        return services.publish_targets_parse(specs=specs, directory=directory)
    except services.PublishError as error:
        raise CommandError(str(error)) from None


def publish_and_report(
    *, command: BaseCommand, directory: Path, targets: list[services.PublishTarget]
) -> None:
    """Publish to every target, a line on each; CommandError when any failed."""
    try:
        reports = services.mirror_publish(directory=directory, targets=targets)
    except services.PublishError as error:
        raise CommandError(str(error)) from None
    show = command.verbosity > 0
    for report in reports:
        counts = {
            "target": report.target,
            "uploaded": report.uploaded,
            "mb": report.bytes / 1e6,
            "skipped": report.skipped,
            "deleted": report.deleted,
            "error": report.error,
        }
        if report.error:
            command.stderr.write(
                _("Not published: %(error)s (%(uploaded)s files were uploaded before it stopped.)")
                % counts
            )
        elif show:
            command.stdout.write(
                _(
                    "Published to %(target)s: %(uploaded)s files uploaded (%(mb).1f MB), "
                    "%(skipped)s unchanged, %(deleted)s deleted."
                )
                % counts
            )
    failed = sum(1 for report in reports if report.error)
    if failed:
        raise CommandError(
            ngettext(
                "%(failed)d of %(total)d targets was not published.",
                "%(failed)d of %(total)d targets were not published.",
                failed,
            )
            % {"failed": failed, "total": len(reports)}
        )


class Command(BaseCommand):
    help = _(
        "Send an exported copy to S3-compatible buckets and folders: only the files that "
        "changed, the signed manifest last, then files that left the copy are deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help=_("The exported copy to send."))
        parser.add_argument("targets", metavar="TARGET", nargs="+", help=TARGET_HELP)

    def handle(self, *args, directory, targets, **options):
        self.verbosity = options["verbosity"]
        root = Path(directory)
        if not root.is_dir():
            raise CommandError(_("%(path)s is not a directory.") % {"path": root})
        publish_and_report(
            command=self, directory=root, targets=targets_parse(specs=targets, directory=root)
        )
