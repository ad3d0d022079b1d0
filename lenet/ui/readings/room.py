"""The room: what the person who started the server decided, shared by every visitor's page
(the loaded recognisers, the model selected at start, where the weights and collected drawings
live). Made once at start-up; no visitor can change it."""
from dataclasses import dataclass
from pathlib import Path

from ...paths import WEIGHTS
from ...recognizer import Recognizer

COLLECTED = Path(__file__).resolve().parents[3] / "collected"   # default folder for --collect


@dataclass(frozen=True)
class Room:
    recognizers: dict                 # variant -> Recognizer, every variant loaded at start
    variant: str                      # the model selected when a page opens
    weights_dir: Path = WEIGHTS
    collect_dir: Path | None = None   # None: drawings are not kept

    @property
    def variants(self):
        return tuple(self.recognizers)

    def model(self, variant):
        """`variant` if it names a loaded model, else the one selected at start (a client may send
        anything where the page sends a model's name)."""
        return variant if isinstance(variant, str) and variant in self.recognizers else self.variant

    @property
    def collecting(self):
        return self.collect_dir is not None


def open_room(variants, variant, weights_dir=None, collect_dir=None):
    """Load every variant's recogniser (raises lenet.WeightsError with the fix in its message)."""
    weights_dir = Path(weights_dir or WEIGHTS)
    recs = {v: Recognizer.load(v, weights_dir) for v in variants}
    return Room(recs, variant, weights_dir, Path(collect_dir) if collect_dir else None)
