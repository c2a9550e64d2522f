"""The bench's load generator: only a 200 counts as a measured page."""

import http.server
import threading

import pytest

from ops.bench import load


@pytest.fixture
def redirecting_server():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            status = 200 if self.path == "/ok" else 302
            self.send_response(status)
            self.send_header("Content-Length", "0")
            if status == 302:
                self.send_header("Location", "/accounts/login/")
            self.end_headers()

        def log_message(self, *args):
            pass

    Handler.protocol_version = "HTTP/1.1"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def test_a_redirect_is_counted_as_an_error(redirecting_server):
    """A page that sends the load to the login page is reported, not timed as if it were served."""
    redirected = load(
        host="127.0.0.1", port=redirecting_server, path="/staff", clients=2, requests=6, max_seconds=10
    )
    assert redirected.requests == 6
    assert redirected.errors == 6
    assert redirected.statuses == {302: 6}
    served = load(
        host="127.0.0.1", port=redirecting_server, path="/ok", clients=2, requests=6, max_seconds=10
    )
    assert served.errors == 0 and served.statuses == {200: 6}


def test_the_bench_loads_only_this_machine():
    with pytest.raises(ValueError):
        load(host="example.jp", port=80, path="/", clients=1, requests=1, max_seconds=1)
