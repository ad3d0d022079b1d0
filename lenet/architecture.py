"""The LeNet-5 architecture table, as LeCun et al. (1998) tabulate it, read from a built or loaded
Keras model: per layer its type, maps, size, kernel, stride, activation, trainable parameters and
connections. `describe(model)` gives the rows; `table_values` the same as display strings.
Plain Python over the model's layers; no drawing here (lenet/visualize.py draws)."""
import numpy as np

from .network import LAYERS

TABLE_HEADERS = ["layer", "type", "feature maps", "size", "kernel", "stride", "activation",
                 "trainable params", "connections"]


def activation_name(layer):
    """The layer's squashing function as the table prints it ("1.7159·tanh(⅔a)", "ReLU", ...)."""
    act = getattr(layer, "activation", None)
    name = getattr(act, "__name__", None) or (str(act) if act is not None else "")
    return {"scaled_tanh": "1.7159·tanh(⅔a)", "relu": "ReLU", "softmax": "softmax", "linear": "—",
            "": "—"}.get(name, name)


def describe(model):
    """The LeNet-5 table computed from a Keras model: one dict per layer (input, then C1..OUT)
    keyed by TABLE_HEADERS, with trainable parameter and connection counts as ints. `model` may also
    be a lenet.facts.ModelFacts (the lean serving path): its exported rows are returned."""
    if hasattr(model, "rows"):
        return [{h: r[h] for h in TABLE_HEADERS} for r in model.rows]
    rows = []
    inp = model.inputs[0].shape
    rows.append({"layer": "input", "type": "image", "feature maps": 1, "size": f"{inp[1]}×{inp[2]}",
                 "kernel": "—", "stride": "—", "activation": "—", "trainable params": 0, "connections": 0})
    for name in LAYERS:
        layer = model.get_layer(name)
        cls = type(layer).__name__
        shape = tuple(layer.output.shape[1:])
        params = int(sum(int(np.prod(w.shape)) for w in layer.trainable_weights))
        if len(shape) == 3:
            h, w, maps = shape
            size = f"{h}×{w}"
        else:
            h = w = 1
            maps = shape[0]
            size = f"{maps}"
        positions = h * w
        kernel = stride = "—"
        act = activation_name(layer)
        if cls in ("Conv2D", "SparseConv2D"):
            ks = layer.kernel_size if isinstance(layer.kernel_size, int) else layer.kernel_size[0]
            kernel = f"{ks}×{ks}"
            st = getattr(layer, "strides", (1, 1))
            stride = str(st[0] if isinstance(st, (tuple, list)) else st)
            # weights are shared across positions: every output position uses every parameter once
            connections = positions * params
            kind = "convolution" if cls == "Conv2D" else "sparse convolution (paper's table)"
        elif cls in ("Subsampling", "MaxPooling2D", "AveragePooling2D"):
            pool = getattr(layer, "pool_size", (2, 2))
            p = pool[0] if isinstance(pool, (tuple, list)) else pool
            kernel, stride = f"{p}×{p}", str(p)
            has_bias = cls == "Subsampling"
            connections = positions * maps * (p * p + (1 if has_bias else 0))
            kind = {"Subsampling": "subsampling (avg·coef+bias)", "MaxPooling2D": "max pooling",
                    "AveragePooling2D": "average pooling"}[cls]
            if cls == "MaxPooling2D":
                act = "max"
        elif cls == "EuclideanRBF":
            # every unit reads every F6 unit against its fixed code: 84 x 10 links, no parameters
            connections = int(layer.input.shape[-1]) * maps
            kind = "Euclidean RBF (fixed 7×12 codes)"
            act = "Σ (F6 − code)²"
        else:  # Dense
            connections = params
            kind = "fully connected"
        rows.append({"layer": name, "type": kind, "feature maps": maps, "size": size, "kernel": kernel,
                     "stride": stride, "activation": act, "trainable params": params,
                     "connections": connections})
    return rows


def table_values(model):
    """Rows of describe() as lists in TABLE_HEADERS order, numbers formatted with commas,
    plus a total row."""
    rows = describe(model)
    out = [[f"{r[h]:,}" if isinstance(r[h], int) and h in ("trainable params", "connections") else str(r[h])
            for h in TABLE_HEADERS] for r in rows]
    total_p = sum(r["trainable params"] for r in rows)
    total_c = sum(r["connections"] for r in rows)
    out.append(["total", "", "", "", "", "", "", f"{total_p:,}", f"{total_c:,}"])
    return out


def c3_connection_table(model):
    """(6, 16) 0/1 matrix: which S2 maps feed which C3 map (all ones for a full convolution).
    `model` may also be a lenet.facts.ModelFacts."""
    if hasattr(model, "c3_table"):
        return np.asarray(model.c3_table)
    layer = model.get_layer("C3")
    if hasattr(layer, "mask"):
        return np.asarray(layer.mask)
    return np.ones((model.get_layer("S2").output.shape[-1], layer.output.shape[-1]), dtype="float32")


def shapes_html(model):
    """One line that orients a newcomer: every layer's output shape in order, from describe()
    ("input 32×32 → C1 6@28×28 → S2 6@14×14 → … → OUT 10"), as HTML."""
    import html
    parts = []
    for r in describe(model):
        size = str(r["size"]).replace("1×1", str(r["feature maps"]))   # C5: 120 units of 1×1
        shape = f"{r['feature maps']}@{size}" if "×" in size and r["layer"] != "input" else size
        parts.append(f'<span><b>{html.escape(r["layer"])}</b> {html.escape(shape)}</span>')
    line = '<span class="arrow" aria-hidden="true">→</span>'.join(parts)
    said = " then ".join(f"{r['layer']} {r['size']}" for r in describe(model))
    return f'<p class="shapes" aria-label="{html.escape("The layers in order: " + said)}">{line}</p>'
