"""The partners' widgets: self-contained SVG in each language, the JSON, their headers."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from vigil.actions.tests.factories import PetitionPageFactory, external_petition_add
from vigil.cases.tests.factories import CaseIndexPageFactory, CasePageFactory

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def campaign(home):
    case = CasePageFactory(
        parent=CaseIndexPageFactory(parent=home),
        person_name="Karim <Massimov>",
        detained_on=dt.date(2022, 1, 5),
    )
    petition = PetitionPageFactory(parent=home, case=case, goal=5000, show_count_from=100)
    home.featured_case = case
    home.action_page = petition
    home.save_revision().publish()
    return case, petition


def _svg(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)  # well-formed XML, every value escaped
    return response, root


def _texts(root) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


def _assert_self_contained(root):
    for element in root.iter():
        assert element.tag.removeprefix(SVG) not in {"script", "foreignObject", "image", "a"}
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            assert (
                "href" not in name
                and "url(" not in value
                and "http" not in value.replace("http://www.w3.org/2000/svg", "")
            ), (name, value)


def test_days_svg_in_english(client, campaign):
    case, _petition = campaign
    response, root = _svg(client, "/widgets/days.svg")
    _assert_self_contained(root)
    days = case.days_detained()
    assert _texts(root) == [
        "Karim <Massimov>",
        f"{days:,} days",
        "in detention since 5 January 2022",
    ]
    title = root.find(f"{SVG}title").text
    assert title == f"Karim <Massimov> — {days:,} days in detention since 5 January 2022"
    assert b"&lt;Massimov&gt;" in response.content


@pytest.mark.parametrize(
    ("language", "detained_days_ago", "word"),
    [
        ("en", 1, " day"),
        ("en", 2, " days"),
        ("ru", 21, " день"),
        ("ru", 2, " дня"),
        ("ru", 11, " дней"),
        ("kk", 5, " күн"),
    ],
)
def test_days_svg_plural_forms(client, campaign, language, detained_days_ago, word):
    case, _petition = campaign
    case.detained_on = case.today() - dt.timedelta(days=detained_days_ago)
    case.save_revision().publish()
    prefix = "" if language == "en" else f"/{language}"
    _response, root = _svg(client, f"{prefix}/widgets/days.svg")
    figure = _texts(root)[1]
    days = case.days_detained()
    assert figure.startswith(str(days)) and figure.endswith(word), figure
    with translation.override(language):
        assert figure == translation.ngettext("%(days)s day", "%(days)s days", days) % {
            "days": days
        }
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == language


def test_petition_svg_shows_the_goal_then_the_total(client, campaign):
    case, _petition = campaign
    _response, root = _svg(client, "/widgets/petition.svg")
    _assert_self_contained(root)
    assert _texts(root) == ["Free the test person", "Our goal: 5,000 signatures"]
    external_petition_add(title="Elsewhere", counts=[(dt.date(2024, 1, 1), 1234)], case=case)
    _response, root = _svg(client, "/widgets/petition.svg")
    assert _texts(root)[1] == "1,234 people have signed"
    _response, root = _svg(client, "/ru/widgets/petition.svg")
    assert _texts(root)[1].endswith("человека")  # Подписали 1 234 человека


def test_widget_headers(client, campaign):
    for path in ("/widgets/days.svg", "/widgets/petition.svg", "/widgets/campaign.json"):
        response = client.get(path)
        assert response["Cache-Control"] == "public, max-age=86400", path
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
        assert response["Content-Security-Policy"].startswith("default-src 'none'")
        assert "Set-Cookie" not in response
    # Everything else stays same-origin.
    assert client.get("/partners/")["Cross-Origin-Resource-Policy"] == "same-origin"


def test_campaign_json(client, campaign):
    case, petition = campaign
    external_petition_add(title="Elsewhere", counts=[(dt.date(2024, 1, 1), 1234)], case=case)
    data = json.loads(client.get("/ru/widgets/campaign.json").content)
    as_of = data.pop("as_of")
    assert dt.datetime.fromisoformat(as_of).tzinfo is not None
    assert data == {
        "name": "Karim <Massimov>",
        "detained_on": "2022-01-05",
        "days_detained": case.days_detained(),
        "released_on": None,
        "status": "convicted",
        "case_url": case.get_full_url(),
        "petition": {"url": petition.get_full_url(), "total": 1234, "goal": 5000},
        "language": "ru",
    }


def test_campaign_json_without_a_petition_and_below_the_count(client, campaign, home):
    case, petition = campaign
    data = json.loads(client.get("/widgets/campaign.json").content)
    assert data["petition"] == {"url": petition.get_full_url(), "total": None, "goal": 5000}
    home.action_page = case
    home.save_revision().publish()
    assert json.loads(client.get("/widgets/campaign.json").content)["petition"] is None
    assert client.get("/widgets/petition.svg").status_code == 404


def test_no_featured_case_is_not_found(client, home):
    assert client.get("/widgets/days.svg").status_code == 404
    assert client.get("/widgets/campaign.json").status_code == 404
    assert client.get("/partners/").status_code == 200


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_partners_page_shows_the_code_in_each_language(client, campaign, language):
    case, _petition = campaign
    prefix = "" if language == "en" else f"/{language}"
    content = client.get(f"{prefix}/partners/").content.decode()
    days = case.days_detained()
    for code in ("", "/ru", "/kk"):
        src = f"http://testserver{code}/widgets/days.svg"
        # Shown as an image, and as the code to paste, escaped.
        assert f'<img src="{src}" width="300" height="100"' in content
        assert f"&lt;img src=&quot;{src}&quot; width=&quot;300&quot;" in content
        assert f"http://testserver{code}/widgets/petition.svg" in content
        assert f"http://testserver{code}/widgets/campaign.json" in content
    assert f"{days:,} days in detention since 5 January 2022" in content
    assert "Karim &amp;lt;Massimov&amp;gt;" in content  # the alt text, escaped twice in <pre>
    assert 'href="/partners/"' in content or f'href="{prefix}/partners/"' in content
