"""How the page's events run, shared by every tab: the queue settings of a reading, of a pad update,
and the events no API caller should see in the docs."""

# Every prediction event shares one concurrency group: at most 2 run at once (2 cores), and a
# person's newer drawing replaces their waiting one (always_last).
LIVE = dict(trigger_mode="always_last", show_progress="hidden", concurrency_limit=2, concurrency_id="predict")
# The pads' updates skip Gradio's queue and wait in the pads' line instead (gate/pad_line.py); the
# page still sends one at a time, and only the newest waiting (always_last).
PAD = dict(trigger_mode="always_last", show_progress="hidden")
# The page's own events: not listed in the API docs (the documented endpoints are tabs/api.py's).
PRIVATE = dict(api_visibility="private")
