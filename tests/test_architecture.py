"""lenet/architecture.py: the layer table computed from a model, against the counts LeCun et al.
(1998) print (section II.B) and the C3 connection table (their Table I), typed in from the paper."""
import numpy as np

from lenet.architecture import TABLE_HEADERS, c3_connection_table, describe, table_values
from lenet.model import build, classic, modern

# The paper's figures, (trainable parameters, connections) per layer.
PAPER_COUNTS = {"input": (0, 0), "C1": (156, 122_304), "S2": (12, 5_880), "C3": (1_516, 151_600),
                "S4": (32, 2_000), "C5": (48_120, 48_120), "F6": (10_164, 10_164)}
# Table I: the S2 maps each C3 map reads (0-based), as the paper describes it: maps 0-5 read 3
# neighbouring S2 maps, 6-11 read 4 neighbours, 12-14 4 non-neighbours, 15 all six.
TABLE_I = ([[(j + k) % 6 for k in range(3)] for j in range(6)] + [[(j + k) % 6 for k in range(4)] for j in range(6)]
           + [[0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5], list(range(6))])


def counts(model):
    return {r["layer"]: (r["trainable params"], r["connections"]) for r in describe(model)}


def test_classic_table_matches_the_paper():
    got = counts(classic())
    assert got == {**PAPER_COUNTS, "OUT": (850, 850)}        # OUT: a softmax layer, 84 x 10 + 10
    assert sum(p for p, _ in got.values()) == 60_850
    rows = {r["layer"]: r for r in describe(classic())}
    assert rows["C1"]["size"] == "28×28" and rows["C1"]["kernel"] == "5×5" and rows["S2"]["stride"] == "2"
    assert table_values(classic())[-1][-2:] == ["60,850", "340,918"]


def test_paper_variant_table_is_the_papers_own():
    got = counts(build("paper"))
    assert got == {**PAPER_COUNTS, "OUT": (0, 840)}          # 10 RBF units x 84 inputs, fixed codes
    assert sum(p for p, _ in got.values()) == 60_000         # "about 60,000 free parameters"


def test_modern_table_counts_follow_from_the_model():
    m = modern()
    got = counts(m)
    assert got["C1"] == (156, 122_304)
    assert got["S2"] == (0, 14 * 14 * 6 * 4)           # max-pooling: 4 inputs per output, no weights
    assert got["C3"] == (2_416, 100 * 2_416)
    assert sum(p for p, _ in got.values()) == m.count_params() == 61_706


def test_table_values_are_the_rows_as_text_with_a_total():
    values = table_values(classic())
    assert len(values) == 1 + 7 + 1 and all(len(v) == len(TABLE_HEADERS) for v in values)
    assert values[3][0] == "C3" and values[3][-2:] == ["1,516", "151,600"]


def test_c3_connection_table_is_table_i():
    table = np.asarray(c3_connection_table(classic()))
    expected = np.zeros((6, 16))
    for j, reads in enumerate(TABLE_I):
        expected[reads, j] = 1
    np.testing.assert_array_equal(table, expected)
    assert table.sum() == 60
    assert np.asarray(c3_connection_table(modern())).sum() == 96       # a full convolution

