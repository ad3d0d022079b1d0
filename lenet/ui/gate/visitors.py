"""Who a visitor is: the address every per-visitor limit and every fairness rule is keyed by.

A request's address is its TCP peer, unless the peer is a proxy the presenter named
(`--trusted-proxies`, env LENET_TRUSTED_PROXIES: addresses or networks, comma-separated), or
`--share`'s tunnel: Gradio's frpc connects from this machine and relays what the share server's
frps wrote, which appends the address it saw to X-Forwarded-For (Go's SetXForwarded). Behind a
trusted peer the visitor is the rightmost X-Forwarded-For entry that is not itself a trusted
proxy: every entry left of it was written by the visitor and is not believed.

A peer on this machine that is not trusted (a local script, or a proxy nobody named) is one
address for everybody behind it: the pads' line and the fair queue then tell visitors apart by
their session (`client_of`), and the per-address caps are sized for a room.
"""
import ipaddress

LOOPBACK = ("127.0.0.1", "::1", "localhost")
_trusted = []   # ip_network objects: the peers whose X-Forwarded-For is believed


def trust(names="", share=False):
    """Set the trusted proxies (start-up): `names` a comma list of addresses or networks; `share`
    adds this machine (the tunnel's client connects from it). Raises ValueError naming a bad one."""
    nets = []
    for name in [n.strip() for n in (names or "").split(",") if n.strip()]:
        try:
            nets.append(ipaddress.ip_network(name, strict=False))
        except ValueError:
            raise ValueError(f"--trusted-proxies: {name!r} is not an address or a network (e.g. 10.0.0.5, "
                             "10.0.0.0/8)") from None
    if share:
        nets += [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
    _trusted[:] = nets


def trusted(host):
    if not _trusted:
        return False
    try:
        address = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError:
        return False
    return any(address in net for net in _trusted)


def forwarded(scope):
    """Every X-Forwarded-For entry, in order: repeated header lines are one comma list (RFC 9110 5.3)."""
    lines = [value for name, value in scope.get("headers") or () if name == b"x-forwarded-for"]
    return [e.strip() for e in b",".join(lines).decode("latin-1").split(",") if e.strip()]


def client_key(scope):
    """The address a request (an ASGI scope) stands for (see the module docstring)."""
    host = (scope.get("client") or ("?", 0))[0]
    if not trusted(host):
        return host
    for entry in reversed(forwarded(scope)):
        if not trusted(entry):
            try:
                return str(ipaddress.ip_address(entry.split("%")[0]))
            except ValueError:
                return host   # a proxy we trust wrote garbage: the proxy itself
    return host


def known(key):
    """Whether `key` tells a visitor apart (not this machine standing for everyone behind it)."""
    return key not in LOOPBACK and not trusted(key)


def session_of(request):
    """The session a gr.Request belongs to (None for some internal calls)."""
    return getattr(request, "session_hash", None)


def client_of(request):
    """Who a gr.Request is for fairness: its address when that tells visitors apart, else its
    session ("session <hash>"); "?" without an HTTP request."""
    scope = getattr(getattr(request, "request", None), "scope", None)
    if not isinstance(scope, dict):
        return "?"
    key = client_key(scope)
    session = session_of(request)
    return key if known(key) or session is None else f"session {session}"
