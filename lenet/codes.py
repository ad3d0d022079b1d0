"""The paper's output codes: for each digit a stylised 7x12 bitmap, read as the 84 fixed parameter
vectors of the RBF output layer OUT (LeCun et al. 1998, Sec. II-B and Fig. 3).

F6 has 84 units laid out as 12 rows of 7; OUT's unit i outputs the squared Euclidean distance between
F6 and CODES[i] (entries +1 where the bitmap is inked, -1 elsewhere). The codes are drawn by hand and
never trained: a network trained to bring F6 close to them makes F6 itself a little picture of the
digit it read. These are this project's own drawings of a plain 7x12 digit font (the paper's exact
bitmaps are not tabulated); `#` = +1, `.` = -1.
"""
import numpy as np

ROWS, COLS = 12, 7          # F6 read as a picture: 12 rows of 7 units
INK, PAPER = "#", "."

CODES = {
    0: ("..###..",
        ".#...#.",
        "#.....#",
        "#.....#",
        "#.....#",
        "#.....#",
        "#.....#",
        "#.....#",
        "#.....#",
        "#.....#",
        ".#...#.",
        "..###.."),
    1: ("...#...",
        "..##...",
        ".#.#...",
        "...#...",
        "...#...",
        "...#...",
        "...#...",
        "...#...",
        "...#...",
        "...#...",
        "...#...",
        ".#####."),
    2: ("..###..",
        ".#...#.",
        "#.....#",
        "......#",
        ".....#.",
        "....#..",
        "...#...",
        "..#....",
        ".#.....",
        "#......",
        "#......",
        "#######"),
    3: (".#####.",
        "#.....#",
        "......#",
        "......#",
        ".....#.",
        "..###..",
        ".....#.",
        "......#",
        "......#",
        "......#",
        "#.....#",
        ".#####."),
    4: ("....##.",
        "...#.#.",
        "..#..#.",
        ".#...#.",
        "#....#.",
        "#....#.",
        "#######",
        ".....#.",
        ".....#.",
        ".....#.",
        ".....#.",
        ".....#."),
    5: ("#######",
        "#......",
        "#......",
        "#......",
        "#####..",
        ".....#.",
        "......#",
        "......#",
        "......#",
        "......#",
        "#....#.",
        ".####.."),
    6: ("...###.",
        "..#....",
        ".#.....",
        "#......",
        "#......",
        "#.###..",
        "##...#.",
        "#.....#",
        "#.....#",
        "#.....#",
        ".#...#.",
        "..###.."),
    7: ("#######",
        "......#",
        ".....#.",
        ".....#.",
        "....#..",
        "....#..",
        "...#...",
        "...#...",
        "..#....",
        "..#....",
        "..#....",
        "..#...."),
    8: ("..###..",
        ".#...#.",
        "#.....#",
        "#.....#",
        ".#...#.",
        "..###..",
        ".#...#.",
        "#.....#",
        "#.....#",
        "#.....#",
        ".#...#.",
        "..###.."),
    9: ("..###..",
        ".#...#.",
        "#.....#",
        "#.....#",
        "#.....#",
        ".#...##",
        "..###.#",
        "......#",
        "......#",
        ".....#.",
        "....#..",
        ".###..."),
}


def bitmap(rows):
    """12 strings of 7 characters -> (12, 7) float32 array of +1 (ink) and -1 (paper)."""
    if len(rows) != ROWS or any(len(r) != COLS or set(r) - {INK, PAPER} for r in rows):
        raise ValueError(f"a code is {ROWS} strings of {COLS} characters '{INK}' or '{PAPER}'")
    return np.array([[1.0 if c == INK else -1.0 for c in r] for r in rows], dtype="float32")


def code_matrix(codes=None):
    """(10, 84) float32: row i is digit i's bitmap flattened row by row, as F6's units are ordered."""
    codes = CODES if codes is None else codes
    return np.stack([bitmap(codes[d]).reshape(-1) for d in range(len(codes))])


def hamming(codes=None):
    """(10, 10) int matrix: how many of the 84 entries differ between two codes."""
    m = code_matrix(codes)
    return (m[:, None, :] != m[None, :, :]).sum(axis=-1)
