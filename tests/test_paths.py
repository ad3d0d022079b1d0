"""lenet/paths.py: the names it spells are the files git holds in weights/ for every variant, and
the training checkpoint's name is one .gitignore keeps out (both asked of git itself)."""
import shutil
import subprocess

import pytest

from lenet import VARIANTS
from lenet.paths import WEIGHTS, arrays_path, card_path, checkpoint_path, facts_path, keras_path, plot_path, tflite_path

pytestmark = pytest.mark.skipif(shutil.which("git") is None or not (WEIGHTS.parent / ".git").exists(),
                                reason="needs git and the checkout's history")


def git(*args):
    return subprocess.run(["git", *args], cwd=WEIGHTS.parent, capture_output=True, text=True, check=False)  # noqa: S607


def test_every_variants_files_are_the_committed_ones():
    committed = set(git("ls-files", "weights").stdout.split())
    for variant in VARIANTS:
        for path in (keras_path(variant), tflite_path(variant), card_path(variant), facts_path(variant),
                     arrays_path(variant), plot_path(variant, "confusion"), plot_path(variant, "curves")):
            assert str(path.relative_to(WEIGHTS.parent)) in committed, path


def test_another_folder_keeps_the_names():
    assert keras_path("modern", "/x").as_posix() == "/x/lenet5_modern.keras"
    assert card_path("paper", "/x").as_posix() == "/x/lenet5_paper.json"


def test_the_checkpoint_is_ignored_by_git():
    for variant in VARIANTS:
        assert git("check-ignore", "-q", str(checkpoint_path(variant))).returncode == 0, variant
