"""How fast one visitor may send requests: a token bucket per visitor (Limits.requests_per_second,
refilled up to Limits.request_burst). A request over the rate waits its turn, an asyncio sleep that
costs the server nothing, so a script looping a cheap request gets no more of the event loop than a
person drawing (the pad sends a live update every 100 ms at most); a request whose turn is more than
`max_wait` seconds away is refused in one sentence. Pure: the boundary asks, and does the waiting."""
import time

TOO_FAST = "Too many requests from your address at once; wait a moment and try again."
REMEMBERED = 4096   # visitors whose buckets are kept; the idle ones (full buckets) go first


class Rate:
    def __init__(self, per_second, burst, max_wait, clock=time.monotonic):
        self.per_second, self.burst, self.max_wait, self.clock = float(per_second), float(burst), max_wait, clock
        self.buckets = {}   # visitor -> (tokens, time of the last request)
        self.sweep_at = REMEMBERED   # the size at which idle buckets are next dropped (amortised)

    def wait(self, key, scale=1.0):
        """Seconds the visitor `key` must wait before this request is served (0.0 for at once), or
        None if that is over max_wait: the request is refused and costs no token. `scale` multiplies
        the rate and the burst (an address that stands for a whole room)."""
        now, rate, burst = self.clock(), self.per_second * scale, self.burst * scale
        tokens, last = self.buckets.get(key, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate) - 1.0
        if tokens < 0 and -tokens / rate > self.max_wait:
            return None
        self.buckets[key] = (tokens, now)
        if len(self.buckets) > self.sweep_at:
            self.forget_idle(now)
            self.sweep_at = max(REMEMBERED, 2 * len(self.buckets))
        return 0.0 if tokens >= 0 else -tokens / rate

    def forget_idle(self, now):
        """Drop the buckets that have refilled (their visitor would start afresh anyway)."""
        for key, (tokens, last) in list(self.buckets.items()):
            if tokens + (now - last) * self.per_second >= self.burst:
                del self.buckets[key]
