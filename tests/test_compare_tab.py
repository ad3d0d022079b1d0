"""lenet/ui/compare_tab.py: the facts computed for the models side by side."""
import numpy as np

from lenet.synthetic import draw
from lenet.ui.readings.compare import comparison_markdown


def test_comparison_counts_zeros_and_negatives(modern):
    p = modern.predict(draw(3))
    md = comparison_markdown({"modern": p})
    c1 = p.feature_maps["C1"]
    assert f"{100 * np.mean(c1 == 0):.0f}%" in md.splitlines()[4]      # "C1 exactly zero", from the maps
    assert f"**{p.digit}**" in md
