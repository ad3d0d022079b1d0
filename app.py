"""LeNet-5: draw a digit, watch it think. The entry point: arguments, then the page, then launch.

    python app.py [--host H] [--port P] [--variant classic|modern|paper] [--share] [--collect]
                  [--trusted-proxies ADDRESSES]

The page is built by lenet/ui (one module per tab) and served by its gate (lenet/ui/gate/server.py);
`demo` is module-level, so `gradio app.py` (reload mode) finds it. Every option also reads an
environment variable (for hosted Spaces).
"""
import argparse
import os
import sys
import time
import warnings

import lenet.ui.gate.tuning  # noqa: F401  (process tuning: before numpy and Gradio load)

_T0 = time.monotonic()

from lenet import MAX_BYTES, VARIANTS, WeightsError  # noqa: E402
from lenet.paths import WEIGHTS  # noqa: E402
from lenet.ui import page  # noqa: E402
from lenet.ui.gate import server, visitors  # noqa: E402
from lenet.ui.readings.room import COLLECTED, open_room  # noqa: E402


def port_number(text):
    """A TCP port 0-65535 (0: any free port), for argparse: one line otherwise."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535, or 0 for any free port)") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1-65535, or 0 for any free port)")
    return port


def parse_args(argv=None):
    env = os.environ.get
    on = ("1", "true", "yes")
    p = argparse.ArgumentParser(description="LeNet-5 digit recogniser: draw a digit, watch it think.")
    p.add_argument("--host", default=env("LENET_HOST") or env("GRADIO_SERVER_NAME") or "127.0.0.1",
                   help="address to serve on (env LENET_HOST or GRADIO_SERVER_NAME; default %(default)s)")
    p.add_argument("--port", type=port_number, default=int(env("LENET_PORT") or env("GRADIO_SERVER_PORT") or 7860),
                   help="port (env LENET_PORT or GRADIO_SERVER_PORT; default %(default)s)")
    p.add_argument("--variant", "--model", dest="variant", choices=VARIANTS,
                   default=env("LENET_VARIANT") or env("LENET_MODEL") or "modern",
                   help="model selected when a page opens (env LENET_VARIANT; default %(default)s)")
    p.add_argument("--share", action="store_true", default=env("LENET_SHARE", "").lower() in on,
                   help="also create a PUBLIC gradio.live link (env LENET_SHARE=1)")
    p.add_argument("--weights-dir", default=env("LENET_WEIGHTS_DIR") or str(WEIGHTS),
                   help="folder holding lenet5_<variant>.keras (env LENET_WEIGHTS_DIR; default weights/)")
    p.add_argument("--collect", action="store_true", default=env("LENET_COLLECT", "").lower() in on,
                   help="keep every drawing and what the model said (env LENET_COLLECT=1); visitors are told")
    p.add_argument("--trusted-proxies", default=env("LENET_TRUSTED_PROXIES") or "",
                   help="reverse proxies whose X-Forwarded-For names the visitor: addresses or networks, "
                        "comma-separated (env LENET_TRUSTED_PROXIES; default: none, each peer is a visitor)")
    p.add_argument("--collect-dir", default=env("LENET_COLLECT_DIR") or str(COLLECTED),
                   help="folder for collected drawings (env LENET_COLLECT_DIR; default collected/)")
    args = p.parse_args(argv)
    if args.variant not in VARIANTS:
        p.error(f"--variant must be one of {', '.join(VARIANTS)}")
    try:
        visitors.trust(args.trusted_proxies, share=args.share)
    except ValueError as err:
        p.error(str(err))
    return args


def make_demo(args):
    """The page for these arguments; exits with one line naming the fix when weights are bad, and
    says each warning (e.g. damaged LiteRT files: serving through TensorFlow) as one line. An
    unwritable temporary folder for Gradio stops it the same way, before any model loads."""
    problem = server.temp_dir_problem()
    if problem:
        sys.exit(f"error: {problem}")
    try:
        with warnings.catch_warnings(record=True) as said:
            room = open_room(VARIANTS, args.variant, args.weights_dir, args.collect_dir if args.collect else None)
    except WeightsError as err:
        sys.exit(f"error: {err}")
    finally:
        for w in said:
            print(f"warning: {w.message}", file=sys.stderr, flush=True)
    return page.build(room)


def main(argv=None):
    args = parse_args(argv)
    demo = make_demo(args)
    if args.share:
        print("WARNING: --share makes a PUBLIC gradio.live link: anyone with it can use this app.", flush=True)
    def started(url):
        print(f"LeNet-5 app: {url}  (models loaded, page built in {time.monotonic() - _T0:.1f} s)", flush=True)
    server.serve(demo, args.host, args.port, share=args.share, css=page.css(), max_file_size=MAX_BYTES,
                 models=VARIANTS, started=started)
    return 0


# `gradio app.py` imports this module and serves `demo`, reloading on edits; `python app.py` runs main().
demo = make_demo(parse_args([])) if __name__ != "__main__" else None

if __name__ == "__main__":
    sys.exit(main())
