"""How the page's events run, shared by every tab: the queue settings of a reading, of a pad update,
and the events no API caller should see in the docs."""

# A person's newer drawing replaces their waiting one (always_last). How many events run at once is
# set in one place for every queued event: gate/server.py's group (one group, one slot per core).
LIVE = dict(trigger_mode="always_last", show_progress="hidden")
# The pads' updates skip Gradio's queue and wait in the pads' line instead (gate/pad_line.py); the
# page still sends one at a time, and only the newest waiting (always_last).
PAD = dict(trigger_mode="always_last", show_progress="hidden")
# The page's own events: not listed in the API docs (the documented endpoints are tabs/api.py's).
PRIVATE = dict(api_visibility="private")
