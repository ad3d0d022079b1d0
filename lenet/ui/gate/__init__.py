"""The gate: everything between a visitor's request and a reading. The public-link boundary
(boundary.py), the fair queue (fair_queue.py), the upload ledger (uploads.py), the pads' line
(pad_line.py), the prediction process (worker.py), the process settings (tuning.py) and the one
module that touches Gradio's internals (gradio631.py)."""
