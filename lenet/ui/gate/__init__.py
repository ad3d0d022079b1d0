"""The gate: everything between a visitor's browser (or script) and the readings, so that a room
is served fairly and a stranger on a public link costs a bounded share of one machine.

- server.py: the page mounted into the project's own app, on uvicorn, connections timed out
- boundary.py: the ASGI middleware every request passes (routes, bodies, sessions, streams)
- visitors.py: who a visitor is (their address, a named proxy's X-Forwarded-For, or their session)
- limits.py: every number the gate enforces
- uploads.py: the ledger of every file the server writes into Gradio's cache
- fair_queue.py: which queued event runs next; pad_line.py: where the pads' updates wait
- worker.py: the prediction process; decoder.py: heavy pictures in a process of their own
- gradio_internals.py: every use of a Gradio internal, nowhere else; tuning.py: process settings
"""
