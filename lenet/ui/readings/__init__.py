"""The readings: pure functions from a drawing (a pad value, a picture) and the room's models to
what a page or the API shows. The tabs, the API and the prediction process (gate/worker.py) call
the same ones; nothing here knows about Gradio or a request."""
