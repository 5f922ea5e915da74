"""Checking source addresses against a real local HTTP server, and storing what was found."""

import datetime as dt

import pytest
from django.utils import timezone

from vigil.cases.models import TimelineEvent, TimelineSource
from vigil.cases.tests.factories import CaseIndexPageFactory, CasePageFactory
from vigil.news.tests.factories import UpdatePageFactory, references_add
from vigil.sources import services
from vigil.sources.models import LinkStatus, SourceLink

from .helpers import TIMEOUT

NOW = timezone.make_aware(dt.datetime(2024, 5, 1, 9))


def test_each_kind_of_answer_gets_its_status(source_server, closed_port_url):
    """2xx is ok, 4xx/5xx broken, a permanent move redirected, no answer in time a timeout."""
    url = source_server.url
    expected = {
        url("/ok"): (LinkStatus.OK, 200, ""),
        url("/missing"): (LinkStatus.BROKEN, 404, ""),
        url("/fails"): (LinkStatus.BROKEN, 500, ""),
        url("/moved"): (LinkStatus.REDIRECTED, 200, url("/ok")),
        url("/moved-away"): (LinkStatus.REDIRECTED, 200, url("/ok")),
        url("/for-now"): (LinkStatus.OK, 200, url("/ok")),
        url("/moved-to-missing"): (LinkStatus.BROKEN, 404, url("/missing")),
        url("/no-head"): (LinkStatus.OK, 200, ""),
        url("/slow"): (LinkStatus.TIMEOUT, None, ""),
        url("/loop"): (LinkStatus.ERROR, 301, ""),
        closed_port_url: (LinkStatus.ERROR, None, ""),
    }
    for address, (status, http_status, final_url) in expected.items():
        result = services.source_link_check(url=address, timeout=TIMEOUT)
        assert (result.status, result.http_status, result.final_url) == (
            status,
            http_status,
            final_url,
        ), address
        assert result.error or status in (LinkStatus.OK, LinkStatus.REDIRECTED)


def test_a_refused_head_is_retried_with_get(source_server):
    """A server answering 405 to HEAD is asked again with GET, and that answer counts."""
    result = services.source_link_check(url=source_server.url("/no-head"), timeout=TIMEOUT)
    assert result.status == LinkStatus.OK
    assert source_server.state["requests"] == [("HEAD", "/no-head"), ("GET", "/no-head")]


def test_requests_identify_the_checker(source_server):
    """Every request carries the 'Vigil source checker' User-Agent."""
    services.source_link_check(url=source_server.url("/ok"), timeout=TIMEOUT)
    assert source_server.state["agents"] == {"Vigil source checker"}


def test_redirects_stop_after_five(source_server):
    """A redirect loop is an error after the first request and 5 redirects."""
    result = services.source_link_check(url=source_server.url("/loop"), timeout=TIMEOUT)
    assert result.status == LinkStatus.ERROR
    assert "redirects" in result.error
    assert len(source_server.state["requests"]) == 6


@pytest.mark.django_db
def test_results_are_stored_one_row_per_address(source_server):
    """sources_check stores each result in SourceLink and counts them in the summary."""
    urls = [source_server.url(p) for p in ("/ok", "/missing", "/moved", "/slow", "/no-head")]
    summary = services.sources_check(urls=urls + [urls[0]], timeout=TIMEOUT, now=NOW)

    stored = {link.url: link for link in SourceLink.objects.all()}
    assert {url: stored[url].status for url in urls} == {
        urls[0]: LinkStatus.OK,
        urls[1]: LinkStatus.BROKEN,
        urls[2]: LinkStatus.REDIRECTED,
        urls[3]: LinkStatus.TIMEOUT,
        urls[4]: LinkStatus.OK,
    }
    assert stored[urls[1]].http_status == 404
    assert stored[urls[2]].final_url == source_server.url("/ok")
    assert stored[urls[1]].first_failed_at == NOW
    assert stored[urls[0]].first_failed_at is None
    assert all(link.last_checked_at == NOW and link.checked_count == 1 for link in stored.values())
    assert (summary.checked, summary.ok, summary.redirected, summary.broken, summary.timeout) == (
        5,
        2,
        1,
        1,
        1,
    )
    assert summary.error == 0 and summary.seconds > 0


@pytest.mark.django_db
def test_failing_since_is_kept_while_failing_and_cleared_on_success(source_server):
    """first_failed_at records the first failure, survives later ones, and clears when fixed."""
    url = source_server.url("/flaky")
    later = NOW + dt.timedelta(days=1)
    services.sources_check(urls=[url], timeout=TIMEOUT, now=NOW)
    services.sources_check(urls=[url], timeout=TIMEOUT, now=later)
    link = SourceLink.objects.get(url=url)
    assert (link.status, link.first_failed_at, link.last_checked_at) == ("broken", NOW, later)
    assert link.checked_count == 2

    source_server.state["flaky"] = 200
    services.sources_check(urls=[url], timeout=TIMEOUT, now=later + dt.timedelta(days=1))
    link.refresh_from_db()
    assert (link.status, link.first_failed_at, link.error, link.checked_count) == (
        "ok",
        None,
        "",
        3,
    )


@pytest.mark.django_db
def test_concurrency_is_bounded(source_server):
    """No more than `concurrency` requests reach the server at the same time."""
    urls = [source_server.url(f"/busy/{n}") for n in range(12)]
    summary = services.sources_check(urls=urls, concurrency=3, timeout=5)
    assert summary.ok == 12
    assert 1 < source_server.state["max_active"] <= 3


@pytest.mark.django_db
def test_bad_concurrency_or_timeout_is_refused():
    """The service refuses a concurrency outside 1..64 and a timeout outside (0, 120]."""
    with pytest.raises(ValueError, match="Concurrency"):
        services.sources_check(urls=[], concurrency=0)
    with pytest.raises(ValueError, match="timeout"):
        services.sources_check(urls=[], timeout=0)


@pytest.fixture
def cited(updates_index, source_server):
    """An update and a timeline event citing local addresses; one address cited by both."""
    update = UpdatePageFactory(parent=updates_index, title="Closed trial report")
    references_add(
        update,
        {"title": "Court notice", "url": source_server.url("/missing")},
        {"title": "Shared", "url": source_server.url("/ok")},
        {"title": "Offline", "url": ""},
        {"title": "FTP archive", "url": "ftp://127.0.0.1/archive.pdf"},
    )
    case = CasePageFactory(parent=CaseIndexPageFactory(parent=updates_index.get_parent()))
    event = TimelineEvent.objects.create(
        case=case, date=dt.date(2022, 1, 5), kind="detention", title="Detained at home"
    )
    TimelineSource.objects.create(event=event, title="Arrest", url=source_server.url("/moved"))
    TimelineSource.objects.create(event=event, title="Shared", url=source_server.url("/ok"))
    return update, event


@pytest.mark.django_db
def test_collection_finds_addresses_in_every_url_field(cited, source_server):
    """Update references and timeline sources are found; only http(s), each address once."""
    update, event = cited
    collected = services.source_urls_collect()
    refs = {r.title: r.pk for r in update.references.all()}
    sources = {s.title: s.pk for s in event.sources.all()}

    assert collected[source_server.url("/missing")] == [
        ("news.UpdateReference", refs["Court notice"])
    ]
    assert collected[source_server.url("/moved")] == [("cases.TimelineSource", sources["Arrest"])]
    assert sorted(collected[source_server.url("/ok")]) == [
        ("cases.TimelineSource", sources["Shared"]),
        ("news.UpdateReference", refs["Shared"]),
    ]
    assert not [url for url in collected if not url.startswith("http")]


@pytest.mark.django_db
def test_a_full_run_checks_what_is_cited_and_forgets_the_rest(cited, source_server):
    """Without `urls` every cited address is checked and rows for uncited ones are removed."""
    SourceLink.objects.create(url="http://127.0.0.1/no-longer-cited", status="broken")
    summary = services.sources_check(timeout=TIMEOUT, now=NOW)
    assert summary.removed == 1
    assert dict(SourceLink.objects.values_list("url", "status")) == {
        source_server.url("/missing"): "broken",
        source_server.url("/ok"): "ok",
        source_server.url("/moved"): "redirected",
    }
    assert [link.url for link in services.sources_broken()] == [source_server.url("/missing")]


@pytest.mark.django_db
def test_a_daily_check_is_due_when_nothing_was_checked_for_a_day():
    """Due with no checks at all, not due within a day of the newest check, due after."""
    assert services.sources_check_due(now=NOW)
    SourceLink.objects.create(url="http://127.0.0.1/a", last_checked_at=NOW - dt.timedelta(days=3))
    SourceLink.objects.create(url="http://127.0.0.1/b", last_checked_at=NOW - dt.timedelta(hours=2))
    assert not services.sources_check_due(now=NOW)
    assert services.sources_check_due(now=NOW + dt.timedelta(hours=22))
    assert not services.sources_check_due(now=NOW, every=dt.timedelta(hours=3))
