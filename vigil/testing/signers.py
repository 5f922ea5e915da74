"""Signers who sign the petition and confirm by email through crashes, as people would.

`Client` retries a request that got no answer or a 5xx; `sign_and_confirm` is one
person's whole path (form, signature, the mailed link, the confirmation), shared by the
fault tests of one server (vigil/actions/tests/test_faults.py) and of several nodes.
"""

import threading
import time
from collections import Counter
from urllib.parse import urlsplit

import requests

from vigil.testing.forms import form_inputs
from vigil.testing.live_site import HTTP_TIMEOUT
from vigil.testing.mail import confirm_link

PETITION = "/petition/"
# Waiting only: how long a client keeps retrying while the server is down.
GIVE_UP_AFTER = 180
CONFIRMED = "is confirmed and now counts"
ALREADY = "already confirmed"


def wait_for(condition, what: str, timeout: float = GIVE_UP_AFTER) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


class Client:
    """One signer's browser that retries through a server crash, as a person would.

    A request that gets no answer (connection refused or cut) or a 5xx is sent again;
    `failures` counts those.
    """

    def __init__(self, base: str, stats: Counter, lock: threading.Lock):
        self.base = base
        self.session = requests.Session()
        self.stats = stats
        self.lock = lock

    def send(self, method: str, url: str, ok, **kwargs) -> requests.Response:
        deadline = time.monotonic() + GIVE_UP_AFTER
        while True:
            try:
                response = self.session.request(
                    method, url, timeout=HTTP_TIMEOUT, allow_redirects=False, **kwargs
                )
                if ok(response):
                    return response
                outcome = f"{method} {response.status_code}"
                if response.status_code < 500:
                    raise AssertionError(f"{method} {url} answered {response.status_code}")
            except requests.RequestException as exc:
                outcome = f"{method} {type(exc).__name__}"
            with self.lock:
                self.stats[outcome] += 1
            if time.monotonic() > deadline:
                raise AssertionError(f"{method} {url} never succeeded: {outcome}")
            time.sleep(0.2)


def sign_and_confirm(site, box, address, stats, lock, answered) -> None:
    """`address` signs the petition at `site.url` and confirms by the link mailed to `box`,
    retrying through crashes as a person would; appended to `answered` once confirmed."""
    client = Client(site.url, stats, lock)

    def has_form(response):
        return response.status_code == 200 and form_inputs(response.text, PETITION + "sign/")

    sent_before = len(box.to(address))
    for _attempt in range(3):
        page = client.send("GET", site.url + PETITION, has_form)
        data = {
            **form_inputs(page.text, PETITION + "sign/"),
            "website": "",
            "name": "Faulty Signer",
            "email": address,
            "country": "KZ",
            "comment": "",
        }
        answer = client.send(
            "POST",
            site.url + PETITION + "sign/",
            lambda r: r.status_code in (303, 400),
            data=data,
            headers={"Referer": site.url + PETITION},
        )
        if answer.status_code == 303:
            break
        # 400: the form's single-use stamp went with a POST whose answer the crash cut
        # off. The page asks to send the form again; a person does, and signs again.
        assert "could not be accepted" in answer.text, answer.text[:500]
        with lock:
            stats["POST 400 used stamp"] += 1
    else:
        raise AssertionError(f"{address} could not sign in three tries")
    # The 303 means the confirmation is queued with the signature (one transaction); a
    # worker sends it within a second or so, or after a restart.
    wait_for(lambda: len(box.to(address)) > sent_before, f"the email after 303 for {address}")
    link = confirm_link(box.to(address)[-1])
    assert link, "the email has a confirmation link"
    page = client.send("GET", link, lambda r: r.status_code == 200)
    inputs = form_inputs(page.text, urlsplit(link).path)
    if inputs is None:  # confirmed by a POST whose answer the crash swallowed
        assert "Already confirmed" in page.text
    else:
        client.send(
            "POST",
            link,
            lambda r: r.status_code == 200 and (CONFIRMED in r.text or ALREADY in r.text),
            data={"csrfmiddlewaretoken": inputs["csrfmiddlewaretoken"]},
            headers={"Referer": link},
        )
    with lock:
        answered.append(address)
