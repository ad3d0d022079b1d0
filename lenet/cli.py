"""`python -m lenet train | evaluate | predict`: the command line over the package."""
import argparse
import json
import sys

from .model import VARIANTS


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lenet", description="LeNet-5 on MNIST.")
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a variant and write its weights and model card",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    t.add_argument("--variant", choices=VARIANTS, default="modern")
    t.add_argument("--epochs", type=int, default=50, help="passes over the 55k training images")
    t.add_argument("--seed", type=int, default=0, help="seeds weights, shuffling and distortions")
    t.add_argument("--data", default=None, help="MNIST .npz (default: ../shared/mnist/mnist.npz, else download)")
    t.add_argument("--out", default=None, help="folder for the .keras file and model card (default: weights/)")
    t.add_argument("--batch-size", type=int, default=128)
    t.add_argument("--lr", type=float, default=2e-3, help="peak Adam learning rate (cosine decay)")
    t.add_argument("--limit", type=int, default=None, help="train on this many images only (smoke test)")

    e = sub.add_parser("evaluate", help="accuracy of the committed weights on the MNIST test set",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    e.add_argument("--variant", choices=VARIANTS + ("both",), default="both")
    e.add_argument("--data", default=None, help="MNIST .npz (default: ../shared/mnist/mnist.npz, else download)")
    e.add_argument("--weights", default=None, help="folder holding lenet5_<variant>.keras (default: weights/)")

    p = sub.add_parser("predict", help="read the digit in image files",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("files", nargs="+")
    p.add_argument("--variant", choices=VARIANTS, default="modern")
    p.add_argument("--json", action="store_true", help="one JSON object per file")

    x = sub.add_parser("export", help="write weights/lenet5_<variant>.tflite (the app's fast path) from the .keras file",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    x.add_argument("--variant", choices=VARIANTS + ("both",), default="both")
    x.add_argument("--weights", default=None, help="folder holding lenet5_<variant>.keras (default: weights/)")

    args = parser.parse_args(argv)
    return {"train": _train, "evaluate": _evaluate, "predict": _predict, "export": _export}[args.command](args)


def _export(args):
    from .recognizer import export_tflite
    for variant in VARIANTS if args.variant == "both" else (args.variant,):
        print(f"{variant}: {export_tflite(variant, args.weights)}")
    return 0


def _train(args):
    from .train import WEIGHTS, train
    card = train(args.variant, epochs=args.epochs, seed=args.seed, data_path=args.data,
                 out=args.out or WEIGHTS, batch_size=args.batch_size, learning_rate=args.lr,
                 limit=args.limit)
    print(f"{args.variant}: test accuracy {100 * card['test_accuracy']:.2f} % "
          f"(best epoch {card['best_epoch']}/{card['epochs']}, {card['training_seconds']:.0f} s)")
    return 0


def _evaluate(args):
    import keras
    import numpy as np
    from . import data
    from .train import WEIGHTS, evaluate_model, weights_path
    _, (x, y) = data.load(args.data)
    for variant in VARIANTS if args.variant == "both" else (args.variant,):
        model = keras.saving.load_model(weights_path(variant, args.weights or WEIGHTS), safe_mode=True)
        s = evaluate_model(model, x, y)
        print(f"{variant}: test accuracy {100 * s['test_accuracy']:.2f} % on {len(y):,} images")
        print("  per class: " + "  ".join(f"{k}:{100 * v:.1f}" for k, v in s["per_class_accuracy"].items()))
        print("  confusion (rows true 0-9, columns predicted 0-9):")
        for row in np.array(s["confusion_matrix"]):
            print("   " + " ".join(f"{v:5d}" for v in row))
    return 0


def _predict(args):
    from . import InvalidDrawing, Recognizer
    rec = Recognizer.load(args.variant)
    status = 0
    for name in args.files:
        try:
            p = rec.predict(name)
        except InvalidDrawing as err:
            status = 1
            print(json.dumps({"file": name, "error": str(err)}) if args.json else f"{name}: {err}")
            continue
        probs = [round(float(v), 4) for v in p.probabilities]
        if args.json:
            print(json.dumps({"file": name, "digit": p.digit, "probabilities": probs}))
        else:
            print(f"{name}: {p.digit}  ({100 * p.probabilities[p.digit]:.1f} %)  "
                  + " ".join(f"{d}:{v:.2f}" for d, v in enumerate(probs)))
    return status


if __name__ == "__main__":
    sys.exit(main())
