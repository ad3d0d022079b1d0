"""Who is a client (lenet/ui/gate/boundary.py client_key) when every request comes from 127.0.0.1, as
under --share: Gradio's frpc relays what the share server's frps wrote, and frps (pkg/util/vhost/
http.go: the incoming X-Forwarded-For copied, then Go's SetXForwarded) appends the address it
saw to whatever X-Forwarded-For the visitor sent, in one header. The last entry is therefore
frps's, and a visitor cannot pick a fresh per-client budget by sending their own."""
import pytest

from lenet.ui.gate.boundary import client_key

TUNNEL = ("127.0.0.1", 50000)   # frpc connects from loopback


def request(peer, *forwarded):
    return {"type": "http", "client": peer, "headers": [(b"x-forwarded-for", v.encode()) for v in forwarded]}


def test_through_the_tunnel_the_client_is_the_address_frps_appended():
    assert client_key(request(TUNNEL, "198.51.100.7")) == "198.51.100.7"


@pytest.mark.parametrize("sent", ["203.0.113.1", "203.0.113.2, 10.0.0.1", "", "garbage", "1.1.1.1,2.2.2.2,3.3.3.3"])
def test_what_a_visitor_sends_in_x_forwarded_for_does_not_change_who_they_are(sent):
    frps_wrote = f"{sent}, 198.51.100.7" if sent else "198.51.100.7"   # SetXForwarded: prior + ", " + client
    assert client_key(request(TUNNEL, frps_wrote)) == "198.51.100.7"


def test_a_peer_that_is_not_loopback_is_itself_whatever_it_sends():
    assert client_key(request(("192.0.2.5", 40000), "203.0.113.1")) == "192.0.2.5"


def test_a_second_header_line_from_the_proxy_is_the_one_that_counts():
    """RFC 9110 5.3: repeated header lines are one comma-separated list, in order. The entry the
    nearest proxy wrote is the last of the last line, not of the first (the visitor's own)."""
    assert client_key(request(TUNNEL, "203.0.113.66", "198.51.100.7")) == "198.51.100.7"
