"""Readings for the documented API (`/predict`, `/predict_image`): a picture + model name -> the
seven values an API caller receives (digit HTML, note, probabilities, stages, C1, C3, smaller layers)."""
from ... import answer
from ... import visualize as viz
from ...preprocess import InvalidDrawing
from .draw import LOW_CONFIDENCE, analyse
from .room import Room


def api_view(room: Room, result, variant):
    """A Prediction (or InvalidDrawing) -> the API's 7 values; probabilities as {"0": p, ...}."""
    if isinstance(result, InvalidDrawing):
        return answer.digit_html(None, str(result)), "", None, None, None, None, None
    rec = room.recognizers[variant]
    fm = result.feature_maps
    is_digit = result.is_digit
    return (answer.digit_html(result.digit, None, result.confidence, variant, looks_like_digit=is_digit),
            answer.confidence_note(result.confidence, LOW_CONFIDENCE) if is_digit else answer.not_a_digit(result.digit),
            {str(d): float(p) for d, p in enumerate(result.probabilities)},
            viz.stages_html(result.stages), viz.c1_html(fm["C1"], rec.kernels("C1")), viz.c3_html(fm["C3"]),
            viz.small_layers_html(fm))


def predict(room: Room, image, variant):
    variant = room.model(variant)
    return api_view(room, analyse(room, image, variant), variant)


