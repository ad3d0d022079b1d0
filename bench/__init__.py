"""Benchmark of the LeNet-5 app: model paths, Recognizer, the per-stroke handler, HTTP, cold start
and batches, with the issue's bars; run it with `python -m bench` (see `python -m bench --help`)."""
