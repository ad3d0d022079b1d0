"""The web page: Gradio Blocks built from one module per tab, the drawing pad, the presenter's
room settings. `page.build(room)` returns the Blocks; app.py parses arguments and launches.

Import `lenet.ui.gate.tuning` before anything else in a serving process (app.py does)."""
