"""`python -m lenet train | evaluate | predict | export | learn`: the command line over the package."""
import argparse
import json
import sys

from .model import BUILDERS, VARIANTS

ALL = "all"   # every variant the app loads (lenet.model.VARIANTS); "both" is still accepted


def _weights_dir(parser, help_text):
    """--weights-dir, as app.py and bench call it; the old --weights / --out still work, unlisted."""
    parser.add_argument("--weights-dir", dest="weights_dir", default=None, help=help_text)
    for old in ("--weights", "--out"):
        parser.add_argument(old, dest="weights_dir", default=None, help=argparse.SUPPRESS)


def _variants(choice):
    return VARIANTS if choice in (ALL, "both") else (choice,)


def main(argv=None):
    from .train import DEFAULTS
    parser = argparse.ArgumentParser(prog="python -m lenet", description="LeNet-5 on MNIST.")
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a variant and write its weights and model card",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    t.add_argument("--variant", choices=tuple(BUILDERS), default="modern")
    t.add_argument("--epochs", type=int, default=DEFAULTS["epochs"], help="passes over the 55k training images")
    t.add_argument("--seed", type=int, default=DEFAULTS["seed"], help="seeds weights, shuffling and distortions")
    t.add_argument("--data", default=None, help="MNIST .npz (default: ../shared/mnist/mnist.npz, else download)")
    _weights_dir(t, "folder for the .keras, .tflite, model card and plots (default: weights/)")
    t.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"])
    t.add_argument("--lr", type=float, default=DEFAULTS["learning_rate"], help="peak Adam learning rate (cosine decay)")
    t.add_argument("--limit", type=int, default=None, help="train on this many images only (smoke test)")
    t.add_argument("--snapshots", action="store_true",
                   help="also keep the weights at ~20 log-spaced points (weights/lenet5_<variant>_snapshots.npz)")
    t.add_argument("--no-sets", dest="sets", action="store_false",
                   help="skip measuring the non-MNIST sets (lenet/handsets.py) for the model card")

    e = sub.add_parser("evaluate", help="accuracy of the committed weights on the MNIST test set",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    e.add_argument("--variant", choices=tuple(BUILDERS) + (ALL, "both"), default=ALL)
    e.add_argument("--data", default=None, help="MNIST .npz (default: ../shared/mnist/mnist.npz, else download)")
    _weights_dir(e, "folder holding lenet5_<variant>.keras (default: weights/)")
    e.add_argument("--sets", action="store_true",
                   help="also measure the non-MNIST sets (fonts, pen-drawn, low resolution; lenet/handsets.py)")

    p = sub.add_parser("predict", help="read the digit in image files",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("files", nargs="+")
    p.add_argument("--variant", choices=tuple(BUILDERS), default="modern")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.add_argument("--number", action="store_true", help="each file holds a row of digits: read them all")
    _weights_dir(p, "folder holding lenet5_<variant>.keras (default: weights/)")

    x = sub.add_parser("export", help="write weights/lenet5_<variant>.tflite (the app's fast path) from the .keras",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    x.add_argument("--variant", choices=tuple(BUILDERS) + (ALL, "both"), default=ALL)
    _weights_dir(x, "folder holding lenet5_<variant>.keras (default: weights/)")

    n = sub.add_parser("learn", help="read one image at every training snapshot (lenet5_<variant>_snapshots.npz)",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    n.add_argument("image")
    n.add_argument("--variant", choices=tuple(BUILDERS), default="modern")
    n.add_argument("--json", action="store_true", help="one JSON object per snapshot")
    _weights_dir(n, "folder holding lenet5_<variant>_snapshots.npz and the weights (default: weights/)")

    args = parser.parse_args(argv)
    return {"train": _train, "evaluate": _evaluate, "predict": _predict, "export": _export,
            "learn": _learn}[args.command](args)


def _learn(args):
    from . import InvalidDrawing, Recognizer, card, learning
    from .paths import WEIGHTS
    try:
        snaps = learning.load(learning.path(args.variant, args.weights_dir), args.variant)
        rec = Recognizer.load(args.variant, args.weights_dir)
        rule = learning.rejection_rule(card.read(args.weights_dir or WEIGHTS, args.variant)[0])
        rows = learning.readings(snaps, rec.predict(args.image).input, rec.facts.activations.get("C1"), rule)
    except (learning.SnapshotsError, InvalidDrawing) as err:
        print(f"{args.image}: {err}", file=sys.stderr)
        return 1
    if args.json:
        for row in rows:
            print(json.dumps({"file": args.image, "variant": args.variant, **row}))
        return 0
    print(f"{args.image} read by the {args.variant} model at each training snapshot "
          f"(batches of {snaps.batch_size}, {snaps.steps_per_epoch} steps an epoch):")
    print(f"{'step':>8} {'epoch':>7} {'digit':>6} {'confidence':>11}")
    for row in rows:
        print(f"{row['step']:>8,} {row['epoch']:>7.2f} {row['digit']:>6} {100 * row['confidence']:>10.1f}%")
    return 0


def _export(args):
    from .recognizer import export_tflite
    for variant in _variants(args.variant):
        print(f"{variant}: {export_tflite(variant, args.weights_dir)}")
    return 0


def _train(args):
    from .paths import WEIGHTS
    from .train import train
    card = train(args.variant, epochs=args.epochs, seed=args.seed, data_path=args.data,
                 out=args.weights_dir or WEIGHTS, batch_size=args.batch_size, learning_rate=args.lr,
                 limit=args.limit, measure_sets=args.sets, snapshots=args.snapshots)
    print(f"{args.variant}: test accuracy {100 * card['test_accuracy']:.2f} % "
          f"(last of {card['epochs']} epochs, {card['training_seconds']:.0f} s)")
    return 0


def _evaluate(args):
    import keras
    import numpy as np

    from . import data
    from .paths import keras_path
    from .train import evaluate_model
    _, (x, y) = data.load(args.data)
    for variant in _variants(args.variant):
        model = keras.saving.load_model(keras_path(variant, args.weights_dir), safe_mode=True, compile=False)
        s = evaluate_model(model, x, y)
        print(f"{variant}: test accuracy {100 * s['test_accuracy']:.2f} % on {len(y):,} images")
        print("  per class: " + "  ".join(f"{k}:{100 * v:.1f}" for k, v in s["per_class_accuracy"].items()))
        print("  confusion (rows true 0-9, columns predicted 0-9):")
        for row in np.array(s["confusion_matrix"]):
            print("   " + " ".join(f"{v:5d}" for v in row))
        if args.sets:
            from .handsets import measure
            for name, acc in measure(model, variant, data_path=args.data).items():
                if isinstance(acc, float):
                    print(f"  {name}: {100 * acc:.2f} %")
    return 0


def _predict(args):
    from . import InvalidDrawing, Recognizer
    rec = Recognizer.load(args.variant, args.weights_dir)
    status = 0
    for name in args.files:
        if args.number:
            status = max(status, _predict_number(rec, name, args.json))
            continue
        try:
            p = rec.predict(name)
        except InvalidDrawing as err:
            status = 1
            print(json.dumps({"file": name, "error": str(err)}) if args.json else f"{name}: {err}")
            continue
        probs = [round(float(v), 4) for v in p.probabilities]
        if args.json:
            print(json.dumps({"file": name, "digit": p.digit, "is_digit": p.is_digit,
                              "digit_score": round(p.digit_score, 4), "probabilities": probs}))
        else:
            said = (f"{p.digit}  ({100 * p.probabilities[p.digit]:.1f} %)" if p.is_digit else
                    f"not a digit — best guess: {p.digit}")
            print(f"{name}: {said}  (digit score {p.digit_score:.2f})  "
                  + " ".join(f"{d}:{v:.2f}" for d, v in enumerate(probs)))
    return status


def _predict_number(rec, name, as_json):
    from . import InvalidDrawing
    try:
        r = rec.predict_number(name)
    except InvalidDrawing as err:
        print(json.dumps({"file": name, "error": str(err)}) if as_json else f"{name}: {err}")
        return 1
    if as_json:
        print(json.dumps({"file": name, "number": r.text, "confidences": [round(c, 4) for c in r.confidences],
                          "boxes": [list(b) for b in r.boxes]}))
    else:
        print(f"{name}: {r.text}  (" + " ".join(f"{p.digit}:{100 * p.confidence:.0f}%" for p in r.digits) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
