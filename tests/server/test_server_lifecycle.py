"""The server and its renewal inside one process: after stop() no thread of theirs is left and the port is closed
(the CLI runs them exactly as here, around the command)."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import datetime, timedelta, timezone

from awsenv.server.endpoint import CredentialServer
from awsenv.model import Credentials
from awsenv.server.renewal import Renewal


def _credentials(seconds: float) -> Credentials:
    expiration = datetime.now(timezone.utc) + timedelta(seconds=seconds)
    return Credentials("ASIATESTTESTTEST0001", "secret", "token", expiration)


def test_stop_leaves_no_thread_and_no_listener():
    before = set(threading.enumerate())
    fetched = []

    def fetch(min_ttl: float) -> Credentials:
        fetched.append(min_ttl)
        return _credentials(3600)

    renewal = Renewal("dev", fetch, 1200, lambda message: None)
    renewal.first()
    server = CredentialServer(renewal.supply)
    server.start()
    renewal.start()
    request = urllib.request.Request(server.url, headers={"Authorization": server.token,
                                                          "Host": f"127.0.0.1:{server.port}"})
    served = json.loads(urllib.request.urlopen(request, timeout=5).read())
    assert served["AccessKeyId"] == "ASIATESTTESTTEST0001"
    assert len(set(threading.enumerate()) - before) >= 2
    renewal.stop()
    server.stop()
    renewal._thread.join(timeout=10)
    assert set(threading.enumerate()) - before == set()
    assert server._httpd.socket.fileno() == -1  # closed
    assert fetched == [1200]  # an hour left: no renewal was due


def test_short_lived_credentials_are_renewed_at_half_their_life_not_on_every_request():
    renewal = Renewal("dev", lambda min_ttl: _credentials(900), 1200, lambda message: None)
    renewal.first()
    assert 440 < renewal.min_ttl <= 450


def test_long_lived_keys_are_served_with_an_expiry_and_never_put_the_renewal_to_sleep_forever():
    renewal = Renewal("dev", lambda min_ttl: Credentials("AKIATESTTESTTEST0001", "secret"), 1200, lambda m: None)
    renewal.first()
    server = CredentialServer(renewal.supply)
    status, body = server.answer("GET", "/", [f"127.0.0.1:{server.port}"], [], [server.token])
    server.stop()
    assert status == 200 and body["Expiration"].endswith("Z") and body["Token"] == ""
    renewal.start()  # sleeps at most an hour at a time: an endless wait would raise in the thread
    renewal.stop()
    renewal._thread.join(timeout=10)
    assert not renewal._thread.is_alive()
