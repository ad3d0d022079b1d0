"""Reading for the Invariance lab: the current drawing swept through one transformation for every
model (lenet/invariance.py), as a one-line reading per model, a chart per model and a strip of inputs."""
from ... import invariance
from ...preprocess import InvalidDrawing
from .draw import current_picture
from .room import Room

LABELS = {"shift": "Shift", "scale": "Scale", "rotation": "Rotation", "squeeze": "Squeeze",
          "stroke": "Stroke width", "noise": "Noise"}


def lab_view(room: Room, pad_value, upload, source, variant, name):
    """Current drawing + transformation -> (reading markdown, one chart per model (selected first), strip).
    One model call per model (each sweep is one batch)."""
    order = [variant] + [v for v in room.variants if v != variant]
    try:
        picture = current_picture(pad_value, upload, source)
        x = room.recognizers[variant].predict(picture).input   # the pipeline is the same for every model
    except InvalidDrawing as err:
        return (f"**{err}** Draw a digit on the first tab, then come back.", *[None] * len(order), None)
    run = invariance.both_ways if name == "scale" else invariance.sweep   # scale: 0.5x to 2x
    sweeps = {v: run(room.recognizers[v], x, name) for v in order}
    line = "  \n".join(f"**{v}**: {sweeps[v].reading}" for v in order)
    return (line, *[invariance.chart(sweeps[v]) for v in order], invariance.strip(sweeps[variant], scale=2))


