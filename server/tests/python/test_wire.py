"""Raw-HTTP checks that SDKs hide (EMULATOR.md §11.6), and the server's behaviour under bad input, slow
clients, too many connections and shutdown. Requests are signed with botocore's own SigV4Auth."""

import json
import re
import signal
import socket
import time

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import REGION, TDES_ARN, Server

ENCRYPT = {"PlainText": "0102030405060708", "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}


def signed(server, path, body, headers=None, secret="test"):
    """The bytes of a signed request: botocore signs the path exactly as it is given here."""
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    req = AWSRequest(method="POST", url=f"{server.endpoint}{path}", data=data,
                     headers={"Content-Type": "application/json", **(headers or {})})
    SigV4Auth(Credentials("test", secret), "payment-cryptography", REGION).add_auth(req)
    prepared = req.prepare()
    head = f"POST {path} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
    for k, v in prepared.headers.items():
        head += f"{k}: {v}\r\n"
    head += f"Content-Length: {len(data)}\r\n\r\n"
    return head.encode(), data


def read_response(sock, timeout=10):
    """(status, headers, body) of one response on a socket."""
    sock.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {buf!r}")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, headers, json.loads(rest[:length]) if length else None


def exchange(server, raw):
    with socket.create_connection((server.host, server.port)) as s:
        s.sendall(raw)
        return read_response(s)


def call(server, path, body, **kw):
    head, data = signed(server, path, body, **kw)
    return exchange(server, head + data)


def test_success_and_error_headers(server):
    status, h, body = call(server, "/keys/alias%2Fdemo-tdes-key/encrypt", ENCRYPT)
    assert status == 200 and body["CipherText"] == "B064B6C2571C65D5"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", h["x-amzn-requestid"])
    assert h["content-type"] == "application/json"
    status, h, body = call(server, "/keys/alias%2Fnope/encrypt", ENCRYPT)
    assert status == 404 and h["x-amzn-errortype"] == "ResourceNotFoundException"
    assert body["__type"] == "ResourceNotFoundException" and body["ResourceId"] == "alias/nope" and body["message"]
    assert h["x-amzn-requestid"]


def test_arn_path_double_encoding_and_unencoded_path(server):
    encoded = "/keys/" + TDES_ARN.replace(":", "%3A").replace("/", "%2F") + "/encrypt"
    status, _, body = call(server, encoded, ENCRYPT)
    assert status == 200 and body["KeyArn"] == TDES_ARN
    # A hand-made client that leaves ':' and '/' raw is still routed (greedy) and verified.
    status, _, body = call(server, f"/keys/{TDES_ARN}/encrypt", ENCRYPT)
    assert status == 200 and body["KeyArn"] == TDES_ARN
    # Encoded twice on the wire: decoded once, so the identifier is literally "alias%2Fdemo-tdes-key".
    status, _, body = call(server, "/keys/alias%252Fdemo-tdes-key/encrypt", ENCRYPT)
    assert status == 400 and body["fieldList"][0]["path"] == "KeyIdentifier"


def test_body_member_and_empty_body(server):
    status, _, body = call(server, "/keys/alias%2Fdemo-tdes-key/encrypt", {**ENCRYPT, "KeyIdentifier": "x"})
    assert status == 400 and body["fieldList"][0]["path"] == "KeyIdentifier"
    status, _, body = call(server, "/keys/alias%2Fdemo-tdes-key/encrypt", b"")
    assert status == 400 and body["__type"] == "ValidationException"
    status, h, body = call(server, "/keys/alias%2Fdemo-tdes-key/encrypt", b"\xff\xfe")
    assert status == 400 and h["x-amzn-errortype"] == "SerializationException"


def test_tampered_body_raw(server):
    head, data = signed(server, "/keys/alias%2Fdemo-tdes-key/encrypt", ENCRYPT)
    tampered = data.replace(b"0102030405060708", b"0102030405060709")
    status, h, body = exchange(server, head + tampered)
    assert status == 403 and body["__type"] == "InvalidSignatureException" == h["x-amzn-errortype"]


def test_unknown_routes_and_control_plane_errors(server):
    status, h, body = call(server, "/nothing/here", ENCRYPT)
    assert status == 404 and body["__type"] == "UnknownOperationException" == h["x-amzn-errortype"]
    status, h, body = call(server, "/", {}, headers={"X-Amz-Target": "PaymentCryptographyControlPlane.Bogus",
                                                      "Content-Type": "application/x-amz-json-1.0"})
    assert status == 400 and body["__type"] == "UnknownOperationException" and h["content-type"] == "application/x-amz-json-1.0"
    status, h, body = call(server, "/", {}, headers={"X-Amz-Target": "PaymentCryptographyControlPlane.CreateKey"})
    assert status == 400 and body["__type"] == "ValidationException" and "must not be null" in body["Message"]
    status, h, body = call(server, "/", {}, headers={"X-Amz-Target": "PaymentCryptographyControlPlane.GetParametersForExport"})
    assert status == 501 and body["__type"] == "NotImplementedException" and "GetParametersForExport" in body["message"]
    status, h, body = call(server, "/", {}, headers={"X-Amz-Target": "PaymentCryptographyControlPlane.CreateKey"},
                           secret="wrong")
    assert status == 400 and body["__type"] == "InvalidSignatureException"
    status, h, body = call(server, "/pindata/verify", {})
    assert status == 501 and "VerifyPinData" in body["message"]


def test_too_large_body_refused_before_it_is_read(server):
    with socket.create_connection((server.host, server.port)) as s:
        s.sendall(b"POST /keys/alias%2Fx/encrypt HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
        status, h, body = read_response(s)
        assert status == 413 and body["__type"] == "RequestEntityTooLargeException"
        assert h.get("connection") == "close"
    # Chunked, without a length: cut off at the limit.
    with socket.create_connection((server.host, server.port)) as s:
        s.sendall(b"POST /keys/alias%2Fx/encrypt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"a" * 8192
        try:
            for _ in range(20):
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass
        status, _, body = read_response(s)
        assert status == 413


@pytest.fixture
def tight(tmp_path):
    s = Server(tmp_path, "--header-timeout", "1", "--body-timeout", "1", "--max-connections", "2")
    yield s
    assert s.stop() == 0


def test_header_and_body_timeouts(tight):
    with socket.create_connection((tight.host, tight.port)) as s:
        s.sendall(b"POST /keys/x/encrypt HTTP/1.1\r\nHost: x\r\n")
        s.settimeout(5)
        start = time.monotonic()
        leftover = s.recv(65536)
        assert time.monotonic() - start < 4
        assert leftover == b"" or leftover.startswith(b"HTTP/1.1 408")
    head, data = signed(tight, "/keys/alias%2Fdemo-tdes-key/encrypt", ENCRYPT)
    with socket.create_connection((tight.host, tight.port)) as s:
        s.sendall(head + data[:10])
        status, _, body = read_response(s, timeout=5)
        assert status == 408 and body["__type"] == "RequestTimeoutException"


def test_connection_bound(tight):
    idle = [socket.create_connection((tight.host, tight.port)) for _ in range(2)]
    time.sleep(0.2)
    head, data = signed(tight, "/keys/alias%2Fdemo-tdes-key/encrypt", ENCRYPT)
    with socket.create_connection((tight.host, tight.port)) as third:
        third.sendall(head + data)
        third.settimeout(0.5)
        with pytest.raises(socket.timeout):
            third.recv(1)
        idle[0].close()
        status, _, body = read_response(third)
        assert status == 200 and body["CipherText"] == "B064B6C2571C65D5"
    idle[1].close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_graceful_shutdown_finishes_the_request_in_flight(tmp_path, sig):
    s = Server(tmp_path)
    head, data = signed(s, "/keys/alias%2Fdemo-tdes-key/encrypt", ENCRYPT)
    with socket.create_connection((s.host, s.port)) as sock:
        sock.sendall(head + data[:10])
        time.sleep(0.3)
        s.proc.send_signal(sig)
        time.sleep(0.3)
        assert s.proc.poll() is None, "exited with a request in flight"
        # No new connection is served any more.
        with pytest.raises(OSError):
            with socket.create_connection((s.host, s.port), timeout=1) as late:
                late.sendall(head + data)
                late.settimeout(1)
                if not late.recv(1):
                    raise ConnectionResetError
        sock.sendall(data[10:])
        status, _, body = read_response(sock)
        assert status == 200 and body["CipherText"] == "B064B6C2571C65D5"
    assert s.proc.wait(timeout=10) == 0


def test_no_auth_mode(tmp_path):
    s = Server(tmp_path, "--no-auth")
    try:
        body = json.dumps(ENCRYPT).encode()
        raw = (b"POST /keys/alias%2Fdemo-tdes-key/encrypt HTTP/1.1\r\nHost: x\r\nContent-Length: "
               + str(len(body)).encode() + b"\r\n\r\n" + body)
        status, _, body = exchange(s, raw)
        assert status == 200 and body["CipherText"] == "B064B6C2571C65D5"
        assert any("authentication is off" in line for line in s.log)
    finally:
        assert s.stop() == 0


def test_start_line_and_help(server):
    assert re.fullmatch(r"paycrypt-server listening on http://127\.0\.0\.1:\d+", server.first_line)
    import subprocess
    from conftest import BIN
    out = subprocess.run([str(BIN), "--help"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0 and "127.0.0.1:7420" in out.stdout
    bad = subprocess.run([str(BIN), "--bogus"], capture_output=True, text=True, timeout=10)
    assert bad.returncode == 2 and "unknown option" in bad.stderr
