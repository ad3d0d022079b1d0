"""The tabs: one module per tab, each only the Blocks layout and the wiring of its events. What a
handler computes lives in lenet/ui/readings; how a request is admitted and run, in lenet/ui/gate."""
