"""Journeys: what the people who use Vigil do, driven in a real browser against the real server.

A journey test is one person's path through the site, end to end, asserting what
they see. It runs against `manage.py serve` as `make run` starts it: production
settings, static files collected and fingerprinted, two-factor sign-in for editors,
the public content security policy, the page cache, and a real SMTP server
(aiosmtpd) receiving the mail. Every journey starts from the demo campaign as
`make run` loads it and opens a fresh browser profile (a new Chromium context:
no cookies, no storage) for each person.

Each step is photographed into `test-artifacts/journeys/<test>/NN-<step>.png`.
The photographs are kept when the journey fails (and always with
`KEEP_JOURNEY_SHOTS=1`), so whoever reads the failure sees what the person saw.

One server is started per test module and restarted on a fresh copy of the demo
database before each journey: a restart also drops whatever the server process
keeps in memory, as a deploy would.
"""

import contextlib
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings

from vigil.testing.accounts import Authenticator, totp_key
from vigil.testing.live_site import LiveSite
from vigil.testing.mail import Mailbox

ARTIFACTS_DIR = Path(settings.BASE_DIR) / "test-artifacts" / "journeys"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 640}
SMALL_PHONE = {"width": 320, "height": 640}
TIMEOUT_MS = 15_000
LANGUAGES = ("en", "ru", "kk")
# The path prefix of each language's pages (English has none).
LANGUAGE_PREFIX = {"en": "", "ru": "/ru", "kk": "/kk"}


def language_path(language: str, path: str) -> str:
    """`path` (an English one, starting with /) in `language`'s part of the site."""
    return LANGUAGE_PREFIX[language] + path


# -- the server ----------------------------------------------------------------------------


class JourneySite(LiveSite):
    """The production server on a copy of the demo campaign, with real limits.

    Unlike the fault tests' site, the anti-spam form delay and the rate limits keep
    their production values: a journey is one person at a person's pace.
    """

    def __init__(self, template: Path, site_dir: Path, *, smtp_port: int, static_root: Path):
        super().__init__(template, site_dir, smtp_port=smtp_port, static_root=static_root)
        self.template = template
        for relaxed in ("ACTIONS_FORM_MIN_SECONDS", "ACTIONS_RATE_LIMIT"):
            self.env.pop(relaxed, None)

    @property
    def admin_password(self) -> str:
        return (self.template / "admin-password.txt").read_text().strip()

    @property
    def admin_enrolment_link(self) -> str:
        """The path of the one-time set-up link `make run` keeps beside the password."""
        return urlsplit((self.template / "admin-enrolment-link.txt").read_text().strip()).path

    def restore(self) -> None:
        """Stop, put the demo database back as `make run` loaded it, empty the caches, start."""
        self.stop()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.template / "db.sqlite3", self.db_path)
        for folder in ("page-cache", "cache", "media"):
            shutil.rmtree(self.dir / folder, ignore_errors=True)
        media = self.template / "media"
        if media.exists():
            shutil.copytree(media, self.dir / "media")
        self.query(
            "UPDATE wagtailcore_site SET hostname = '127.0.0.1', port = ? WHERE is_default_site",
            (self.port,),
        )
        self.start()

    def shell(self, code: str) -> str:
        """Run Python in the site's Django (`manage.py shell -c`); what it printed."""
        return self.manage("shell", "-c", code)


@dataclass
class Editor:
    """Someone with an account in the admin, and what they keep beside it."""

    username: str
    password: str
    # The one-time link (a path) through which they set up two-factor, from their email.
    enrolment_link: str | None = None
    authenticator: Authenticator | None = None
    recovery_codes: list[str] = field(default_factory=list)


# -- one journey ---------------------------------------------------------------------------


class Journey:
    """One person's path: fresh browser profiles, photographs of each step, the mailbox."""

    def __init__(self, *, site: JourneySite, mailbox: Mailbox, browser, name: str):
        self.site = site
        self.mailbox = mailbox
        self.url = site.url
        self._browser = browser
        self.shots_dir = ARTIFACTS_DIR / re.sub(r"[^\w.-]+", "-", name).strip("-")
        shutil.rmtree(self.shots_dir, ignore_errors=True)
        self._shots = 0
        self._contexts = []
        self.problems: list[str] = []
        self.admin = Editor(
            username="admin",
            password=site.admin_password,
            enrolment_link=site.admin_enrolment_link,
        )

    # Browser profiles.

    def page(
        self,
        *,
        language: str | None = None,
        viewport: dict | None = None,
        javascript: bool = True,
        allowed_origins: tuple[str, ...] = (),
    ):
        """A page in a new, empty browser profile, speaking `language` (Accept-Language).

        Any request to another site, any script error and any content security policy
        violation is recorded as a problem, and the journey fails at its end.
        """
        options = {
            "viewport": viewport or DESKTOP,
            "base_url": self.url,
            "java_script_enabled": javascript,
        }
        if language:
            options["locale"] = {"en": "en-GB", "ru": "ru-RU", "kk": "kk-KZ"}[language]
        context = self._browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        allowed = (self.url, "data:", "blob:", "about:", *allowed_origins)

        def route(route):
            url = route.request.url
            if url.startswith(allowed):
                route.continue_()
            else:
                self.problems.append(f"asked another site: {url}")
                route.abort()

        context.route("**/*", route)
        self._contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("console", lambda message: self._console(message))
        return page

    def _console(self, message) -> None:
        text = message.text
        if message.type == "error" and "Content Security Policy" in text:
            self.problems.append(f"CSP violation: {text}")

    def shot(self, page, step: str, *, full_page: bool = False) -> Path:
        """Photograph what the person sees now (the viewport, or the whole page)."""
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        self._shots += 1
        stem = re.sub(r"[^\w.-]+", "-", step).strip("-")
        path = self.shots_dir / f"{self._shots:02d}-{stem}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self, *, failed: bool) -> None:
        """Close the profiles; keep the photographs of a failed journey, with its last view."""
        if failed:
            for context in self._contexts:
                for page in context.pages:
                    # A photograph that cannot be taken must never hide the real failure.
                    with contextlib.suppress(Exception):
                        self.shot(page, "at-failure", full_page=True)
        for context in self._contexts:
            with contextlib.suppress(Exception):
                context.close()
        if not failed and not os.environ.get("KEEP_JOURNEY_SHOTS"):
            shutil.rmtree(self.shots_dir, ignore_errors=True)

    # Editors.

    def user_create(
        self,
        username: str,
        *,
        groups: tuple[str, ...] = (),
        superuser: bool = False,
        email: str | None = None,
    ) -> Editor:
        """An account made the way an administrator would (its groups by name), with the
        one-time set-up link emailed to it; the editor takes the link from the mail."""
        password = f"journey-{username}-Pass-8841"
        address = email or username + "@example.org"
        self.site.shell(
            "from django.contrib.auth import get_user_model\n"
            "from django.contrib.auth.models import Group\n"
            "from vigil.accounts.services import enrolment_link_create, enrolment_link_send\n"
            f"user = get_user_model().objects.create_user({username!r}, "
            f"email={address!r}, password={password!r})\n"
            f"user.is_superuser = user.is_staff = {superuser!r}\n"
            "user.save()\n"
            f"for name in {list(groups)!r}:\n"
            "    user.groups.add(Group.objects.get(name=name))\n"
            "enrolment_link_send(user=user, url=enrolment_link_create(user=user, by=None))\n"
        )
        message = self.mail_wait(address)[-1]
        text = message.get_body(preferencelist=("plain",)).get_content()
        link = re.search(r"https?://\S+(/admin/two-factor/enrol/[\w-]+/)", text).group(1)
        return Editor(username=username, password=password, enrolment_link=link)

    def editor_sign_in(self, page, editor: Editor | None = None, *, next: str = "/admin/"):
        """Sign `editor` in at the admin's door and pass the second factor.

        The first time, the editor opens the set-up link from their email, signs in,
        sets up an authenticator from the key shown beside the QR code and keeps the
        recovery codes; afterwards a code from it is asked.
        Returns the page wherever the admin sends the editor: the journey asserts it.
        """
        editor = editor or self.admin
        if editor.authenticator is None and editor.enrolment_link:
            page.goto(f"{editor.enrolment_link}?next={quote(next)}")
        else:
            page.goto(f"/admin/login/?next={next}")
        # By field names, not labels: the door speaks the browser's language.
        page.locator("input[name=username]").fill(editor.username)
        page.locator("input[name=password]").fill(editor.password)
        self.shot(page, f"sign-in-{editor.username}")
        page.locator("form:has(input[name=password]) button[type=submit]").click()
        page.wait_for_load_state()
        if "/admin/two-factor/setup/" in page.url:
            self._two_factor_enrol(page, editor)
        else:
            page.locator("input[name=code]").fill(editor.authenticator.code())
            self.shot(page, f"second-factor-{editor.username}")
            page.locator("form:has(input[name=code]) button[type=submit]").click()
            page.wait_for_load_state()
        return page

    def _two_factor_enrol(self, page, editor: Editor) -> None:
        secret = page.locator(".vigil-secret").inner_text()
        editor.authenticator = Authenticator(key=totp_key(secret))
        page.locator("input[name=code]").fill(editor.authenticator.code())
        self.shot(page, f"two-factor-set-up-{editor.username}")
        page.locator("form:has(input[name=code]) button[type=submit]").click()
        page.wait_for_load_state()
        editor.recovery_codes = [
            code.strip() for code in page.locator(".vigil-recovery-codes li").all_inner_texts()
        ]
        self.shot(page, f"recovery-codes-{editor.username}")
        page.locator("a.button:below(.vigil-recovery-codes)").first.click()
        page.wait_for_load_state()

    # Mail.

    def mail_wait(self, address: str, *, count: int = 1, timeout: float = 30) -> list:
        """The messages to `address`, once at least `count` have arrived."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.mailbox.to(address)
            if len(messages) >= count:
                return messages
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(messages)} of {count} messages to {address} arrived in {timeout} s"
                )
            time.sleep(0.1)


# -- the admin, as editors use it -----------------------------------------------------------


def page_id(journey: Journey, url_path: str) -> int:
    """The id of the English page at Wagtail's `url_path` (e.g. '/home/updates/')."""
    rows = journey.site.query(
        "SELECT p.id FROM wagtailcore_page p JOIN wagtailcore_locale l ON p.locale_id = l.id "
        "WHERE p.url_path = ? AND l.language_code = 'en'",
        (url_path,),
    )
    return rows[0][0]


def autosave_settled(page) -> None:
    """Wait, as a person reads over their text, until the editor's autosave is done.

    A click on Publish while Wagtail's autosave is still saving posts the form a second
    time and is refused.
    """
    from playwright.sync_api import expect

    page.wait_for_timeout(1_500)
    saving = page.locator("#w-autosave-indicator .w-autosave-indicator__state--saving")
    expect(saving).to_be_hidden(timeout=15_000)
