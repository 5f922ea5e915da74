"""A partner's page on another origin, under a strict CSP, shows the pasted widgets."""

import http.server
import threading

import pytest

pytestmark = pytest.mark.browser


def _partner_site(html: str, policy: str):
    """A page of another origin (its own loopback port: Chromium would refuse a made-up
    public origin's requests to a loopback address) sending `policy`."""

    class Partner(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = f"<!doctype html><title>Partner</title><body>{html}</body>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", policy)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Partner)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_widgets_render_on_another_origin_under_a_strict_csp(demo, browser):
    context = browser.new_context()
    try:
        vigil = context.new_page()
        vigil.goto(f"{demo.url}/partners/")
        snippets = vigil.locator("pre code").all_inner_texts()
        assert len(snippets) == 6, "two widgets in three languages"
        html = "".join(snippets)
        assert f'src="{demo.url}/ru/widgets/days.svg"' in html
        server = _partner_site(html, f"default-src 'none'; img-src {demo.url}")
        try:
            partner = f"http://127.0.0.1:{server.server_address[1]}/"
            assert not demo.url.startswith(partner.rstrip("/")), "another origin"
            page = context.new_page()
            console = []
            page.on("console", lambda msg: console.append(msg.text))
            page.goto(partner)
            images = page.locator("img")
            assert images.count() == 6
            for index in range(6):
                image = images.nth(index)
                image.evaluate("img => img.decode()")
                assert image.evaluate("img => img.naturalWidth") == 300, image.get_attribute("src")
        finally:
            server.shutdown()
        assert not [line for line in console if "Content Security Policy" in line], console
    finally:
        context.close()
