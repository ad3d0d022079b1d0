"""lenet/ui/gate/visitors.py: who a visitor is. Under --share every request comes from 127.0.0.1:
Gradio's frpc relays what the share server's frps wrote, and frps (pkg/util/vhost/http.go: the
incoming X-Forwarded-For copied, then Go's SetXForwarded) appends the address it saw to whatever
the visitor sent, in one header. The last entry is therefore frps's. Behind a reverse proxy the
presenter names (--trusted-proxies) the same rule holds; nobody else's X-Forwarded-For counts."""
import pytest

from lenet.ui.gate import visitors
from lenet.ui.gate.visitors import client_key

TUNNEL = ("127.0.0.1", 50000)   # frpc connects from loopback


def request(peer, *forwarded):
    return {"type": "http", "client": peer, "headers": [(b"x-forwarded-for", v.encode()) for v in forwarded]}


@pytest.fixture
def shared():
    visitors.trust(share=True)
    yield
    visitors.trust()


@pytest.fixture
def proxied():
    visitors.trust("10.0.0.0/8, 192.0.2.10")
    yield
    visitors.trust()


def test_through_the_tunnel_the_client_is_the_address_frps_appended(shared):
    assert client_key(request(TUNNEL, "198.51.100.7")) == "198.51.100.7"


@pytest.mark.parametrize("sent", ["203.0.113.1", "203.0.113.2, 10.0.0.1", "", "garbage", "1.1.1.1,2.2.2.2,3.3.3.3"])
def test_what_a_visitor_sends_in_x_forwarded_for_does_not_change_who_they_are(shared, sent):
    frps_wrote = f"{sent}, 198.51.100.7" if sent else "198.51.100.7"   # SetXForwarded: prior + ", " + client
    assert client_key(request(TUNNEL, frps_wrote)) == "198.51.100.7"


def test_a_peer_that_is_not_trusted_is_itself_whatever_it_sends(proxied):
    assert client_key(request(("192.0.2.5", 40000), "203.0.113.1")) == "192.0.2.5"


def test_without_share_or_named_proxies_loopback_is_not_believed():
    """Issue 29 point 4: a client on this machine wrote a fresh X-Forwarded-For per upload."""
    visitors.trust()
    assert client_key(request(TUNNEL, "203.0.113.1")) == "127.0.0.1"
    assert not visitors.known("127.0.0.1")


def test_a_second_header_line_from_the_proxy_is_the_one_that_counts(shared):
    """RFC 9110 5.3: repeated header lines are one comma list, in order."""
    assert client_key(request(TUNNEL, "203.0.113.66", "198.51.100.7")) == "198.51.100.7"


def test_behind_a_chain_of_named_proxies_the_visitor_is_the_first_untrusted_entry(proxied):
    scope = request(("10.1.2.3", 80), "203.0.113.9, 198.51.100.7, 10.0.0.2")
    assert client_key(scope) == "198.51.100.7"
    assert client_key(request(("192.0.2.10", 80))) == "192.0.2.10"    # a proxy that forwards nothing: itself
    assert not visitors.known("192.0.2.10") and visitors.known("198.51.100.7")


def test_a_bad_proxy_name_is_one_sentence():
    with pytest.raises(ValueError, match="not an address or a network"):
        visitors.trust("10.0.0.300")
