"""Readings for the first tab and the pads: a drawing (the pad's value, an uploaded picture) and a
model name -> the Prediction, and the Prediction -> what the tab shows (digit, bars, stages, C1, C3,
the smaller layers, the paper's RBF ending). Pure functions of the room and their inputs: the tab,
the API and the prediction process (gate/worker) call the same ones."""
from ... import answer, collect, preactivation, rbf
from ... import visualize as viz
from ...preprocess import EMPTY, InvalidDrawing
from . import pad as pad_
from .room import Room

LOW_CONFIDENCE = 0.6    # below this top probability the page says it is not sure


def analyse(room: Room, image, variant, drawing=None):
    """Any picture + model -> its Prediction, or the InvalidDrawing that says why not. When the
    room collects drawings, this one is kept (`drawing` names a pad drawing in progress)."""
    rec = room.recognizers[room.model(variant)]
    try:
        result = rec.predict(image)
    except InvalidDrawing as err:
        result = err
    if room.collecting:
        collect.save_stroke(room.collect_dir, image, result, variant, drawing)
    return result


def page_view(room: Room, result, variant, seq=None, more=True, pre=False):
    """A Prediction (or InvalidDrawing) -> the tab's outputs: digit, probabilities, stages, C1, C3,
    smaller layers, the paper's RBF ending (HTML; the stages and smaller layers only with more=True;
    the RBF panel only for a model that ends in distances, "" otherwise). pre=True: C1, C3 and the
    smaller layers show the sums before the squashing function (lenet/preactivation.py) instead of
    the activations (max-pooling, which has none, as it is, and its title says so)."""
    if isinstance(result, InvalidDrawing):
        return answer.digit_html(None, str(result), seq=seq), "", "", "", "", "", ""
    rec = room.recognizers[variant]
    fm = result.feature_maps
    maps, stage = (preactivation.sums(rec, result, ("C1", "C3")), " · before squashing") if pre else (fm, "")
    return (answer.digit_html(result.digit, None, result.confidence, variant, seq=seq,
                           note=answer.confidence_note(result.confidence, LOW_CONFIDENCE),
                           looks_like_digit=result.is_digit),
            answer.probs_html(result.probabilities),
            viz.stages_html(result.stages) if more else "",
            viz.c1_html(maps["C1"], rec.kernels("C1"), stage=stage),
            viz.c3_html(maps["C3"], stage=stage),
            viz.small_layers_html(*preactivation.shown(rec, result, pre, viz.SMALL_LAYERS)) if more else "",
            rbf.prediction_html(result))


def read_pad(room: Room, value, variant, drawing=None, more=True, pre=False):
    """The pad's value (see pad.parse) -> the tab's outputs. more=False leaves the stages and the
    smaller layers out (their accordion is closed: ~half the pictures an update carries)."""
    try:
        png, seq = pad_.parse(value)
    except InvalidDrawing as err:
        return page_view(room, err, variant)
    if png is None:
        empty = InvalidDrawing(EMPTY)
        if room.collecting:
            collect.save_stroke(room.collect_dir, None, empty, variant, drawing)   # a cleared pad ends a drawing
        return page_view(room, empty, variant, seq)
    return page_view(room, analyse(room, png, variant, drawing), variant, seq, more, pre)


def read_upload(room: Room, image, variant, pre=False):
    return page_view(room, analyse(room, image, variant), variant, pre=pre)


def current_picture(pad_value, upload, source):
    """What the person last gave the page: the uploaded picture or the pad's drawing (PNG bytes).
    Raises InvalidDrawing when there is none."""
    if source == "upload":
        return upload
    return pad_.picture(pad_value)


def rerun(room: Room, pad_value, upload, variant, source, drawing=None, more=True, pre=False):
    """Model switch (or the accordion opening): read whatever was used last again. A pad drawing's
    answer carries the pad's update number, as every answer to the pad does."""
    if source == "upload":
        return page_view(room, analyse(room, upload, variant), variant, None, more, pre)
    return read_pad(room, pad_value, variant, drawing, more, pre)


