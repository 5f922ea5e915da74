"""Fuzzing every public URL, query parameter and form: never a 5xx, nothing stored from bad input.

Hypothesis drives Django's test client over a site with a page of every type and its
routes (listings with page, tag and year, the case page with its timeline filters and
exports, the register's and library's filters and search, search, feeds), the petition
and subscribe forms posted with arbitrary values (invalid UTF-8 bytes, NUL, huge values,
missing and repeated fields), and the links from emails with arbitrary and tampered
tokens.

The number of examples per test is VIGIL_FUZZ_EXAMPLES (default 30, a few seconds per
test, derandomised so that the suite is repeatable); `bench/security/run.py` runs it
with more (500 by default) and random seeds.
"""

import datetime as dt
import os
from urllib.parse import parse_qsl, quote, quote_from_bytes, unquote_to_bytes

import pytest
from django.core import mail
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.models import Page

from vigil.actions.models import OutgoingMail, PetitionPage, Signature, Subscriber
from vigil.actions.models.mailing import Delivery
from vigil.actions.services import common as action_services
from vigil.actions.services.common import (
    PURPOSE_SIGNATURE_CONFIRM,
    PURPOSE_SIGNATURE_WITHDRAW,
    PURPOSE_SUBSCRIBER_CONFIRM,
    PURPOSE_UNSUBSCRIBE,
)
from vigil.actions.tests.factories import PetitionPageFactory
from vigil.testing.demo import DatabaseCopy, migration_data_create

EXAMPLES = int(os.environ.get("VIGIL_FUZZ_EXAMPLES", "30"))
fuzz = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="VIGIL_FUZZ_EXAMPLES" not in os.environ,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
QUERY_KEYS = ["q", "page", "tag", "year", "kind", "type", "demand", "language", "p", "page_id"]
LISTING_ROUTES = [
    "page/{}/",
    "tag/{}/",
    "tag/{}/page/{}/",
    "year/{}/",
    "year/{}/page/{}/",
    "tag/{}/feed/rss/",
    "tag/{}/feed/atom/",
    "kind/{}/",
    "language/{}/",
    "type/{}/",
    "demand/{}/",
    "type/{}/year/{}/",
    "{}/",
]

# --- values --------------------------------------------------------------------------------

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
nasty_text = st.sampled_from(
    ["\x00", "a\x00b", "'", '"', "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd",
     "%", "%00", "%ff", "\u202e", "\ufeff", "𝕏", "٣", "-1", "0", "99999999999999999999999",
     "1e9", "NaN", " ", "\n", "\r\nX-Injected: 1", "{{ 7*7 }}", "${7*7}", "[[days]]"]
)  # fmt: skip
huge_text = st.builds(lambda ch, n: ch * n, st.sampled_from(["a", "я", "€", "𝕏", "\x00"]),
                      st.integers(1_000, 300_000))  # fmt: skip
text_value = st.one_of(any_text, nasty_text, huge_text, st.integers().map(str))
# Bytes that may not be UTF-8 at all.
byte_value = st.one_of(text_value.map(lambda s: s.encode()), st.binary(max_size=40))


def percent(value: bytes) -> str:
    return quote_from_bytes(value, safe="")


def utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@st.composite
def query_strings(draw) -> tuple[bytes, bool]:
    """A query string's bytes as sent, and whether they are UTF-8 once percent-decoded.

    Mostly percent-encoded, as browsers send them; sometimes raw bytes, as anything else
    can (WSGI hands them on as they came).
    """
    pairs = draw(
        st.lists(
            st.tuples(st.one_of(st.sampled_from(QUERY_KEYS).map(str.encode), byte_value),
                      byte_value),
            max_size=4,
        )
    )  # fmt: skip
    if draw(st.integers(0, 3)):
        query = "&".join(f"{percent(k)}={percent(v)}" for k, v in pairs).encode()
    else:
        query = b"&".join(k + b"=" + v for k, v in pairs).replace(b"#", b"")
    return query, utf8(unquote_to_bytes(query.replace(b"+", b" ")))


# --- the site ------------------------------------------------------------------------------


def _site_build() -> dict:
    from wagtail.models import Site

    from vigil.cases.models import TimelineEvent
    from vigil.cases.tests.factories import CaseIndexPageFactory, CasePageFactory
    from vigil.library.tests.factories import LibraryDocumentFactory, LibraryPageFactory
    from vigil.news.tests.factories import UpdateIndexPageFactory, UpdatePageFactory
    from vigil.pages.tests.factories import HomePageFactory, StandardPageFactory
    from vigil.support.tests.factories import StatementFactory, SupportRegisterPageFactory

    root = Page.get_first_root_node()
    for placeholder in Page.objects.child_of(root):
        placeholder.delete()
    root.refresh_from_db()
    home = HomePageFactory(parent=root, title="Free Test Person", slug="home")
    Site.objects.all().delete()
    Site.objects.create(hostname="testserver", port=80, root_page=home, is_default_site=True)
    updates_index = UpdateIndexPageFactory(parent=home)
    for n in range(12):  # two listing pages
        update = UpdatePageFactory(parent=updates_index)
        update.tags.add("court" if n % 2 else "un")
        update.save()
    case = CasePageFactory(parent=CaseIndexPageFactory(parent=home), slug="test-person")
    TimelineEvent.objects.create(case=case, date=dt.date(2022, 1, 5), kind="detention", title="D")
    TimelineEvent.objects.create(case=case, date=dt.date(2022, 3, 1), kind="court", title="H")
    register = SupportRegisterPageFactory(parent=home, case=case)
    StatementFactory(case=case)
    StatementFactory(case=case, supporter_type="government", date=dt.date(2023, 5, 1))
    library = LibraryPageFactory(parent=home)
    LibraryDocumentFactory()
    petition = PetitionPageFactory(parent=home)
    StandardPageFactory(parent=home, title="About", slug="about")
    pages = [p.specific for p in Page.objects.live().filter(depth__gt=1)]
    return {
        "paths": sorted({p.url for p in pages if p.url}),
        "case": case.url,
        "register": register.url,
        "library": library.url,
        "petition": petition.url,
    }


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """One page of every public type, with content behind each filter; the paths to fuzz.

    Built once for the module with factories (the demo campaign takes a minute to load
    on two busy cores); the database goes back to what it was before the module.
    """
    with django_db_blocker.unblock():
        before = DatabaseCopy(migration_data_create)
        try:
            yield _site_build()
        finally:
            before.restore()
            before.close()


@pytest.fixture
def open_gates(settings):
    """Rate limits and the minimum form time out of the way, so that input reaches the forms."""
    settings.ACTIONS_RATE_LIMIT = (10**9, 600)
    settings.SEARCH_RATE_LIMIT = (10**9, 60)
    settings.ACTIONS_EMAIL_LIMIT = 10**9
    settings.ACTIONS_FORM_MIN_SECONDS = 0


def stored() -> dict:
    """Everything a public form or email link could store or change."""
    return {
        "signatures": sorted(Signature.objects.values_list("pk", "email", "confirmed_at")),
        "subscribers": sorted(Subscriber.objects.values_list("pk", "email", "confirmed_at")),
        "deliveries": Delivery.objects.count(),
        "mail": len(mail.outbox) + OutgoingMail.objects.count(),
    }


def no_server_error(response, what: str) -> None:
    event(f"HTTP {response.status_code}")  # the spread shows in --hypothesis-show-statistics
    assert response.status_code < 500, f"{response.status_code} for {what}"


# --- GET: every page and route with arbitrary segments and queries ---------------------------


@st.composite
def public_urls(draw, paths) -> tuple[str, bytes, bool]:
    base = draw(st.sampled_from(paths))
    prefix = draw(st.sampled_from(["", "/ru", "/kk"]))
    if draw(st.booleans()):
        route = draw(st.sampled_from(LISTING_ROUTES))
        segments = [percent(draw(byte_value))[:300] or "x" for _ in range(route.count("{}"))]
        base = base + route.format(*segments)
    query, valid = draw(query_strings())
    return prefix + base, query, valid


FIXED_PATHS = [
    "/search/",
    "/sitemap.xml",
    "/robots.txt",
    "/mirrors/",
    "/act/subscribe/",
    "/act/subscribe/sent/",
    "/updates/feed/rss/",
    "/updates/feed/atom/",
]


@fuzz
@given(data=st.data())
def test_no_public_url_answers_5xx(client, site, open_gates, data):
    """Any page, route, path segment and query string: never a 5xx; bad UTF-8 gets 400."""
    exports = ["case.json/", "case.ics/", "timeline.csv/", "fact-sheet/", "kind/court/"]
    case = site["case"]
    paths = site["paths"] + FIXED_PATHS + [case + e for e in exports]
    path, query, valid = data.draw(public_urls(paths))
    url = f"{path}?{query!r}"
    before = stored()
    # The query string as a WSGI server passes it: its bytes, decoded as ISO-8859-1.
    response = client.get(path, QUERY_STRING=query.decode("iso-8859-1"))
    no_server_error(response, url)
    if not valid:
        assert response.status_code == 400, url
    assert stored() == before


@pytest.mark.parametrize("page_type", ["register", "library", "search"])
@fuzz
@given(data=st.data())
def test_search_and_filters_take_any_query(client, site, open_gates, page_type, data):
    """Search and the listings' filters, with any q, page, type, kind and year: no 5xx."""
    path = "/search/" if page_type == "search" else site[page_type]
    params = data.draw(
        st.dictionaries(
            st.sampled_from(["q", "page", "type", "kind", "year", "language", "demand"]),
            text_value,
            max_size=4,
        )
    )
    query = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in params.items())
    response = client.get(f"{path}?{query}")
    no_server_error(response, f"{path}?{query[:200]}")


# --- POST: the petition and subscribe forms ----------------------------------------------------


def form_body(fields: dict, raw_extra: bytes = b"") -> bytes:
    """A url-encoded body, with `raw_extra` (unescaped bytes) appended as sent."""
    body = "&".join(f"{percent(k)}={percent(v)}" for k, v in fields.items()).encode()
    return body + raw_extra


VALID_SIGNATURE = {
    "name": "Ada Lovelace",
    "email": "ada@example.org",
    "country": "GB",
    "comment": "",
    "website": "",
}


def stamp(form: str = "sign") -> bytes:
    return action_services.form_stamp_make(form=form).encode()


@st.composite
def any_form(draw, names: list[str], form: str = "sign") -> tuple[dict, bytes]:
    """A form with any subset of the fields, each with any value, and maybe raw junk or a
    field repeated."""
    fields = {}
    for name in names:
        # The bot traps mostly pass, so that most forms reach the fields' validation.
        trap = name in ("stamp", "website")
        choice = draw(st.sampled_from(["valid"] * (5 if trap else 1) + ["any", "absent"]))
        if choice == "valid":
            fields[name.encode()] = (
                stamp(form) if name == "stamp" else VALID_SIGNATURE.get(name, "on").encode()
            )
        elif choice == "any":
            fields[name.encode()] = draw(byte_value)
    repeated = st.tuples(st.sampled_from(names), byte_value).map(
        lambda pair: f"&{pair[0]}={percent(pair[1])}".encode()
    )
    extra = draw(st.one_of(st.just(b""), st.binary(max_size=30).map(lambda b: b"&" + b), repeated))
    return fields, extra


SIGNATURE_FIELDS = [
    "name",
    "email",
    "country",
    "comment",
    "show_publicly",
    "consent_updates",
    "website",
    "stamp",
]


@fuzz
@given(data=st.data())
def test_the_petition_form_takes_any_input(client, site, open_gates, data):
    """Arbitrary petition posts: never a 5xx; unless it is accepted (303), nothing stored
    or sent; a post that is not UTF-8 gets 400 (or 413 when it is too large too)."""
    action = site["petition"] + "sign/"
    fields, extra = data.draw(any_form(SIGNATURE_FIELDS))
    body = form_body(fields, extra)
    before = stored()
    response = client.post(action, body, content_type=FORM)
    no_server_error(response, repr(body[:300]))
    if response.status_code != 303:
        assert stored() == before, repr(body[:300])
    if not form_utf8(body):
        assert response.status_code in (400, 413)  # 413 first when it is too large as well


def form_utf8(body: bytes) -> bool:
    """True when a url-encoded body is UTF-8 both as sent and once percent-decoded."""
    try:
        parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


@st.composite
def broken_signatures(draw) -> bytes:
    """A signature form with at least one thing certainly wrong with it."""
    fields = {k.encode(): v.encode() for k, v in VALID_SIGNATURE.items()}
    fields[b"stamp"] = stamp()
    breakers = {
        "name": st.sampled_from([b"", b"   ", b"a\x00b", b"x" * 1000, b"\xff\xfe"]),
        "email": st.one_of(
            any_text.filter(lambda s: "@" not in s).map(str.encode),
            st.sampled_from([b"a\x00@example.org", b"a@" + b"b" * 300 + b".org", b"\xc3@x.org"]),
        ),
        "country": st.one_of(
            st.sampled_from([b"", b"XX", b"gb ", b"GBR", b"\x00"]),
            any_text.filter(lambda s: len(s) != 2).map(str.encode),
        ),
        "comment": st.sampled_from([b"x" * 5000, b"\xff"]),
        "website": st.text(min_size=1, max_size=40).map(str.encode),
        "stamp": st.one_of(byte_value, st.just(b"form:1tAbCd:forged")),
    }
    broken = draw(st.lists(st.sampled_from(sorted(breakers)), min_size=1, unique=True))
    for name in broken:
        if name in ("name", "email", "country", "stamp") and draw(st.booleans()):
            del fields[name.encode()]  # a required field left out
        else:
            fields[name.encode()] = draw(breakers[name])
    return form_body(fields)


@fuzz
@given(data=st.data())
def test_a_broken_signature_is_refused_and_stores_nothing(client, site, open_gates, data):
    """A post with any bad field is answered 4xx with the form, and nothing is stored or sent."""
    action = site["petition"] + "sign/"
    body = data.draw(broken_signatures())
    before = stored()
    response = client.post(action, body, content_type=FORM)
    event(f"HTTP {response.status_code}")
    assert 400 <= response.status_code < 500, repr(body[:300])
    assert stored() == before


@fuzz
@given(data=st.data())
def test_the_subscribe_form_takes_any_input(client, site, open_gates, data):
    """Arbitrary subscribe posts: never a 5xx; unless accepted (303), nothing stored or sent."""
    fields, extra = data.draw(any_form(["email", "language", "website", "stamp"], form="subscribe"))
    if fields.get(b"language") == b"on":
        fields[b"language"] = b"en"
    body = form_body(fields, extra)
    before = stored()
    response = client.post("/act/subscribe/", body, content_type=FORM)
    no_server_error(response, repr(body[:300]))
    if response.status_code != 303:
        assert stored() == before, repr(body[:300])


@fuzz
@given(data=st.data())
def test_forms_take_other_content_types(client, site, open_gates, data):
    """JSON, multipart and unknown bodies on the public forms: never a 5xx."""
    action = site["petition"] + "sign/"
    path = data.draw(st.sampled_from([action, "/act/subscribe/"]))
    content_type = data.draw(
        st.sampled_from(
            [
                "application/json",
                "text/plain",
                "multipart/form-data; boundary=x",
                "multipart/form-data",
                FORM + "; charset=latin-1",
                FORM + "; charset=bogus",
                "",
            ]
        )
    )
    body = data.draw(st.binary(max_size=200))
    before = stored()
    response = client.generic("POST", path, body, content_type=content_type)
    no_server_error(response, f"{content_type} {body[:100]!r}")
    assert stored() == before


# --- Links from emails -------------------------------------------------------------------------

TOKEN_ROUTES = [
    ("signature_confirm", "/act/signature/confirm/{}/"),
    ("signature_withdraw", "/act/signature/withdraw/{}/"),
    ("subscriber_confirm", "/act/subscribe/confirm/{}/"),
    ("unsubscribe", "/act/unsubscribe/{}/"),
]


@st.composite
def tampered(draw, token: str) -> str:
    """A real token changed somewhere: a character replaced, cut, or something added."""
    how = draw(st.sampled_from(["replace", "cut", "append", "prepend", "swap-parts"]))
    if how == "replace":
        i = draw(st.integers(0, len(token) - 1))
        new = draw(st.characters(codec="ascii").filter(lambda c: c != token[i]))
        return token[:i] + new + token[i + 1 :]
    if how == "cut":
        return token[: draw(st.integers(0, len(token) - 1))]
    if how == "append":
        return token + draw(st.text(min_size=1, max_size=5))
    if how == "prepend":
        return draw(st.text(min_size=1, max_size=5)) + token
    parts = token.split(":")
    return ":".join(reversed(parts)) if len(parts) > 1 else token + ":"


@pytest.fixture
def real_tokens(site):
    """Tokens for an unconfirmed signature and subscriber made here, as emails carry them."""
    petition = PetitionPage.objects.get()
    signature = Signature.objects.create(
        petition=petition, name="Fuzz", email="fuzz@example.org", country="GB", language="en"
    )
    subscriber = Subscriber.objects.create(email="fuzz@example.org", language="en")
    make = action_services.token_make
    return {
        "signature_confirm": make(
            purpose=PURPOSE_SIGNATURE_CONFIRM, pk=signature.pk, email=signature.email
        ),
        "signature_withdraw": make(
            purpose=PURPOSE_SIGNATURE_WITHDRAW, pk=signature.pk, email=signature.email
        ),
        "subscriber_confirm": make(
            purpose=PURPOSE_SUBSCRIBER_CONFIRM, pk=subscriber.pk, email=subscriber.email
        ),
        "unsubscribe": make(purpose=PURPOSE_UNSUBSCRIBE, pk=subscriber.pk, email=subscriber.email),
    }


@fuzz
@given(data=st.data())
def test_email_links_with_any_token_change_nothing(client, site, open_gates, real_tokens, data):
    """Any token, or a real one tampered with, GET or POST: never a 5xx, nothing changes."""
    name, pattern = data.draw(st.sampled_from(TOKEN_ROUTES))
    token = data.draw(
        st.one_of(
            tampered(real_tokens[name]).map(lambda t: quote(t, safe=":")),
            st.binary(min_size=1, max_size=300).map(percent),
            text_value.filter(bool).map(lambda s: quote(s, safe="")[:3000]),
        )
    )
    path = pattern.format(token)
    before = stored()
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        no_server_error(response, f"{method.upper()} {path[:200]}")
    assert stored() == before, path[:200]


def test_the_real_tokens_work(client, site, real_tokens):
    """The tokens the tampering starts from are real: confirming with one counts the signature
    (so the test above shows tampering, not a broken token, is what changes nothing)."""
    path = f"/act/signature/confirm/{real_tokens['signature_confirm']}/"
    assert client.post(path).status_code == 200
    assert Signature.objects.get(email="fuzz@example.org").confirmed_at is not None
