"""The model card: what training measured (test accuracy, per-class accuracy, confusion matrix,
other test sets, training facts), written as `weights/lenet5_<variant>.json` beside the weights
by lenet/train.py and read by the page. Reading and writing live here only."""
import json

from .paths import card_path, plot_path


def write(card, variant, weights_dir=None):
    path = card_path(variant, weights_dir)
    path.write_text(json.dumps(card, indent=1) + "\n")
    return path


def read(weights_dir, variant):
    """The card as a dict ({} when missing or not a JSON object), and the confusion PNG's path (or None)."""
    card, png = {}, plot_path(variant, "confusion", weights_dir)
    try:
        card = json.loads(card_path(variant, weights_dir).read_text())
    except (OSError, ValueError):
        pass
    return (card if isinstance(card, dict) else {}), (png if png.is_file() else None)


def markdown(card, variant):
    """The card's main figures as Markdown for the About tab (a line saying so when it is missing
    or damaged: a card is documentation, never a reason not to serve)."""
    if not card:
        return f"**{variant}**: no model card (weights/lenet5_{variant}.json) found."
    try:
        return _markdown(card, variant)
    except (TypeError, ValueError, AttributeError, KeyError):   # a value of the wrong type
        return (f"**{variant}**: the model card (weights/lenet5_{variant}.json) is damaged; restore it with "
                f"git checkout or retrain with: python -m lenet train --variant {variant}")


def _markdown(card, variant):
    acc = card.get("test_accuracy")
    lines = [f"### {variant}"]
    if acc is not None:
        lines.append(f"- **test accuracy: {100 * acc:.2f}%** on {card.get('test_set', 'the MNIST test set')}")
    for key, label in (("epochs", "epochs"), ("training_images", "training images"),
                       ("optimizer", "optimizer"), ("best_validation_accuracy", "best validation accuracy")):
        if key in card:
            val = card[key]
            if key == "best_validation_accuracy":
                val = f"{100 * val:.2f}%"
            elif isinstance(val, int):
                val = f"{val:,}"
            lines.append(f"- {label}: {val}")
    held = card.get("rejection", {}).get("held_out")
    if held:
        lines.append(f"- not a digit: refuses {100 * held['held_out_nondigits_refused']:.0f}% of generated non-digits "
                     f"of kinds never trained on; {100 * held['mnist_test_read_right_and_accepted']:.2f}% of the "
                     "test digits read right and accepted")
    per = card.get("per_class_accuracy")
    if per:
        worst = sorted(per.items(), key=lambda kv: kv[1])[:3]
        lines.append("- hardest digits: " + ", ".join(f"{k} ({100 * v:.1f}%)" for k, v in worst))
    return "\n".join(lines)
