"""The check_sources management command: its arguments and what it prints."""

import pytest
from django.core.management import CommandError, call_command

from vigil.sources.models import SourceLink


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--concurrency", "0"], "--concurrency must be between 1 and 64"),
        (["--concurrency", "65"], "--concurrency must be between 1 and 64"),
        (["--timeout", "0"], "--timeout must be more than 0"),
        (["--timeout=-1"], "--timeout must be more than 0"),
        (["--timeout", "121"], "at most 120 seconds"),
        (["--timeout", "nan"], "--timeout must be more than 0"),
        (["--url", "ftp://127.0.0.1/file"], "not an http:// or https:// address"),
        (["--url", "127.0.0.1/ok"], "not an http:// or https:// address"),
    ],
)
@pytest.mark.django_db
def test_bad_arguments_fail_with_a_clear_message(arguments, message):
    """Out-of-range concurrency or timeout and non-http addresses stop the command."""
    with pytest.raises(CommandError, match=message):
        call_command("check_sources", *arguments)
    assert not SourceLink.objects.exists()


@pytest.mark.django_db
def test_the_command_prints_progress_and_a_summary(source_server, capsys):
    """Each address gets a progress line, then one summary line with the counts."""
    call_command(
        "check_sources",
        "--timeout",
        "0.5",
        "--concurrency",
        "2",
        "--url",
        source_server.url("/ok"),
        "--url",
        source_server.url("/missing"),
        "--url",
        source_server.url("/moved"),
    )
    out = capsys.readouterr().out
    assert "/3] broken 404 " + source_server.url("/missing") in out
    assert "/3] redirected 200 " + source_server.url("/moved") + " -> " in out
    assert "Checked 3: 1 ok, 1 redirected, 1 broken, 0 timed out, 0 errors in " in out
    assert SourceLink.objects.count() == 3
