"""lenet/ui/readings/api.py: the API's view, the seven documented values of /predict, and predict on a
sketchpad dict with any model name."""


from lenet.decode import EMPTY, MESSAGES, InvalidDrawing
from lenet.synthetic import draw, save_png, sketchpad_value
from lenet.ui.readings import api


def test_api_view_gives_the_seven_documented_values(room, inline_images):
    p = room.recognizers["classic"].predict(draw(0, canvas=280))
    html, note, probs, stages, c1, c3, small = api.api_view(room, p, "classic")
    assert 'data-digit="0"' in html and note == ""
    assert set(probs) == {str(d) for d in range(10)} and abs(sum(probs.values()) - 1) < 1e-6
    assert max(probs, key=probs.get) == "0"
    assert [len(inline_images(h)) for h in (stages, c1, c3, small)] == [4, 12, 16, 6 + 16 + 2]
    invalid = api.api_view(room, InvalidDrawing("specks"), "classic")
    assert MESSAGES["specks"] in invalid[0] and invalid[1:] == ("", None, None, None, None, None)


def test_api_predict_takes_a_sketchpad_dict_and_any_model_name(room, tmp_path):
    path = str(save_png(draw(7, canvas=280), tmp_path / "seven.png"))
    assert 'data-digit="7"' in api.predict(room, sketchpad_value(path), "classic")[0]
    assert 'data-model="modern"' in api.predict(room, sketchpad_value(path), "<b>nope</b>")[0]
    assert EMPTY in api.predict(room, sketchpad_value(None), "modern")[0]
