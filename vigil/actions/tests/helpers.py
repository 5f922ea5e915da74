"""Filling in the public forms as a browser would: GET the form, POST it back."""

import re

STAMP = re.compile(r'name="stamp" value="([^"]+)"')


def form_stamp(response) -> str:
    return STAMP.search(response.content.decode()).group(1)


def signature_post(client, petition_url: str, **fields):
    """Sign through the public form: fetch it (for the stamp), then send it."""
    page = client.get(petition_url)
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "country": "GB",
        "comment": "",
        "website": "",
        "stamp": form_stamp(page),
    }
    data.update({key: value for key, value in fields.items() if value is not None})
    for key in [key for key, value in fields.items() if value is None]:
        data.pop(key, None)
    return client.post(petition_url + "sign/", data)
