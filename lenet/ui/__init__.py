"""The web page, in three parts: `tabs/` (the Blocks layout and event wiring of each tab),
`readings/` (pure functions from a drawing to what the page or the API shows) and `gate/` (what
admits and runs a visitor's request: boundary, fairness, uploads, the pads' line, the prediction
process, process tuning). `page.build(room)` assembles the tabs; app.py parses arguments and launches.
Arrows point one way: tabs -> gate -> readings -> lenet.

Import `lenet.ui.gate.tuning` before anything else in a serving process (app.py does)."""
