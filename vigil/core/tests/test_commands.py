import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Site


@pytest.mark.parametrize(
    "bad_url",
    [
        "example.org",
        "ftp://example.org",
        "https://",
        "https://example.org/sub/",
        "http://h:99999",
        "https://example.org:8443",
    ],
)
def test_site_url_refuses_bad_addresses_and_changes_nothing(home, bad_url):
    """A mistyped address is refused with a message; the site's address stays as it was."""
    with pytest.raises(CommandError):
        call_command("site_url", bad_url)
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("testserver", 80)


def test_site_url_sets_host_and_port(home):
    call_command("site_url", "https://campaign.example")
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("campaign.example", 443)
    assert site.root_url == "https://campaign.example"
    call_command("site_url", "http://127.0.0.1:8000")
    assert Site.objects.get(is_default_site=True).root_url == "http://127.0.0.1:8000"


def test_serve_refuses_a_bad_port(db):
    with pytest.raises(CommandError):
        call_command("serve", "--port", "70000")


def test_worker_refuses_a_bad_interval(db):
    with pytest.raises(CommandError, match="interval"):
        call_command("worker", "--interval", "0")
