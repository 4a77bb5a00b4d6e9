"""awsenv's loopback listener, in process, with raw HTTP clients: one answer, state checked, then it is gone."""

from __future__ import annotations

import socket

import pytest

from awsenv.sso.callback import Listener


def _send(port: int, path: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    return sock


def _read(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except OSError:
        pass
    sock.close()
    return data


def _forever() -> float:
    return 60.0


def test_the_first_code_is_taken_and_a_second_never_is():
    listener = Listener("expected")
    port = listener.port
    favicon = _send(port, "/favicon.ico")
    first = _send(port, "/oauth/callback?code=one&state=expected")
    second = _send(port, "/oauth/callback?code=two&state=expected")
    answer = listener.wait(_forever)
    assert answer is not None and answer.code == "one" and answer.error is None
    assert _read(favicon).startswith(b"HTTP/1.0 404")
    page = _read(first)
    assert page.startswith(b"HTTP/1.0 200") and b"You may close this tab" in page
    assert b"no-store" in page
    assert b"200" not in _read(second)[:20]  # never answered: the listener is closed
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_a_state_that_differs_ends_the_wait_without_a_code():
    listener = Listener("expected")
    sock = _send(listener.port, "/oauth/callback?code=one&state=forged")
    answer = listener.wait(_forever)
    assert answer is not None and answer.code is None and answer.error == "state_mismatch"
    assert _read(sock).startswith(b"HTTP/1.0 400")


def test_an_error_from_the_server_is_passed_on_with_its_description():
    listener = Listener("s")
    sock = _send(listener.port, "/oauth/callback?error=access_denied&error_description=no%20thanks&state=s")
    answer = listener.wait(_forever)
    assert answer is not None and answer.error == "access_denied" and answer.description == "no thanks"
    assert b"access_denied" in _read(sock)


def test_nothing_arriving_ends_the_wait_with_none_and_closes_the_port():
    listener = Listener("s")
    port = listener.port
    calls = []

    def left() -> float:
        calls.append(1)
        return 0.4 if len(calls) < 3 else 0.0

    assert listener.wait(left) is None
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_it_listens_on_loopback_only():
    listener = Listener("s")
    try:
        assert listener._server.server_address[0] == "127.0.0.1"
        assert listener.redirect_uri == f"http://127.0.0.1:{listener.port}/oauth/callback"
    finally:
        listener.close()
