"""The walk-through's words: a plain sentence and the facts of every layer (from the loaded model,
lenet/architecture.py), and "explain one number" written out as the sum it is, with as many
decimals as a person reads (the full-precision numbers travel in data-* attributes for tests)."""
import html

from .architecture import describe

SENTENCES = {
    "input": "The drawing, cropped, scaled to 20×20, centred in 28×28 and padded to 32×32 — the size "
             "LeNet-5 reads. The first layer rescales ink to the paper's range (background −0.1, ink 1.175).",
    "Conv2D": "Each of the {maps} filters slides a {kernel} window over {src}; at every position it multiplies the "
              "window by its weights, adds a bias and squashes the sum with {act}. The same weights are "
              "reused at every position — that is why there are so few parameters for so many connections.",
    "SparseConv2D": "Like a convolution, but each of the {maps} maps reads only some S2 maps (the paper's "
                    "connection table): fewer parameters, and different maps are forced to learn different "
                    "features.",
    "Subsampling": "Each 2×2 block is averaged, multiplied by a trainable coefficient, shifted by a bias and "
                   "squashed: the maps get half as big and small shifts of the digit matter less.",
    "MaxPooling2D": "Each 2×2 block keeps only its largest value: the maps get half as big, the strongest "
                    "response survives, and small shifts of the digit matter less. No parameters.",
    "C5": "{maps} filters of {kernel} cover the whole 5×5 S4 maps, so each C5 unit sees the entire digit: "
          "a convolution that behaves like a fully connected layer.",
    "F6": "{maps} units, each a weighted sum of all C5 units plus a bias, through {act}.",
    "OUT": "One unit per digit; softmax turns the scores into probabilities that sum to 1. "
           "The largest one is the answer.",
    "EuclideanRBF": "One unit per digit, each the squared distance between F6 (read as a 7×12 picture) and that "
                    "digit's fixed 7×12 code: the smallest distance is the answer. **Click a distance** to see "
                    "its sum.",
}


def explained_rows(model):
    """architecture.describe plus count_params and a plain sentence per layer: one dict per row in ROWS."""
    rows = describe(model)
    out = []
    prev = "the 32×32 input"
    for r in rows:
        r = dict(r)
        name = r["layer"]
        if name == "input":
            r["params"] = 0
            text = SENTENCES["input"]
        else:
            if hasattr(model, "rows"):   # lenet.facts.ModelFacts: the lean serving path
                r["params"], cls = model.params(name), model.layer_class(name)
            else:
                layer = model.get_layer(name)
                r["params"], cls = int(layer.count_params()), type(layer).__name__
            key = cls if cls == "EuclideanRBF" else name if name in ("C5", "F6", "OUT") else cls
            text = SENTENCES.get(key, "").format(maps=r["feature maps"], kernel=r["kernel"], src=prev,
                                                 act=r["activation"])
            prev = f"the {name} maps"
        r["what"] = text
        r["shape"] = f"{r['feature maps']}@{r['size']}" if "×" in str(r["size"]) else f"{r['size']} units"
        out.append(r)
    return out


def row_markdown(r, stage="", colours=""):
    """One row's facts and sentence as Markdown (the app shows it beside the row's image). `stage`:
    appended to the title, saying what the image shows (lenet/preactivation.shown); `colours`: what
    its colours mean (colours_line)."""
    title = "Input 32×32" if r["layer"] == "input" else f"{r['layer']} · {r['type']}{stage}"
    facts = (f"shape **{r['shape']}** · kernel **{r['kernel']}** · stride **{r['stride']}** · "
             f"activation **{r['activation']}**  \n"
             f"trainable parameters **{r['params']:,}** · connections **{r['connections']:,}**")
    colours = f"  \nColours: {colours}" if colours else ""
    return f"### {title}\n{facts}{colours}\n\n{r['what']}"


def colours_line(scale, what="activation"):
    """What a row's colours mean, as the first tab's colour bars say it: "sum: blue −3.0 against ·
    white 0 · red +2.0 for", or for a map never below 0 "activation: black 0 silent … yellow 2.0 strong"."""
    from .visualize import number
    if scale.signed:
        return f"{what}: blue {number(scale.lo, True)} against · white 0 · red {number(scale.hi, True)} for"
    return f"{what} (≥ 0): black 0 silent … pale yellow {number(scale.hi)} strong"


def totals_markdown(rows, variant):
    p = sum(r["params"] for r in rows)
    c = sum(r["connections"] for r in rows)
    return f"**{variant} model: {p:,} trainable parameters, {c:,} connections in total.**"


def explanation_html(e):
    """The sum, written out: Σ patch·kernel + bias = z → activation(z), next to the map's own value.
    With e.pre (the map shows the sums before squashing) the same sum stops at z, the value
    explained, beside the sum shown; f(z) is then only a note, next to the network's own map.
    data-* attributes carry the full-precision numbers for tests (data-sum: the value explained)."""
    if e.pre:
        return _sum_html(e)
    where, src, terms = _reads(e)
    lines = [f'<div id="wt-explain" data-layer="{e.layer}" data-map="{e.fmap}" data-row="{e.row}" '
             f'data-col="{e.col}" data-sum="{e.value!r}" data-fm="{e.feature_map_value!r}">',
             f"<h3>Why {html.escape(where)} = {e.feature_map_value:.3f}</h3>",
             f"<p>The kernel reads a 5×5 window of {html.escape(src)}.</p>",
             '<table class="wt-sum">',
             f"<tr><td>Σ patch · kernel</td><td>=</td><td>{e.total:+.3f}</td>"
             f"<td>{'(' + terms + ', one per S2 map)' if terms else '(25 products)'}</td></tr>",
             f"<tr><td>+ bias</td><td>=</td><td>{e.bias:+.3f}</td><td></td></tr>",
             f"<tr><td>z</td><td>=</td><td>{e.z:+.3f}</td><td></td></tr>",
             f'<tr><td>f(z)</td><td>=</td><td><b id="wt-value">{e.value:.3f}</b></td>'
             f"<td>the computed value, activation f = {html.escape(e.activation)}</td></tr>",
             f'<tr><td>feature map</td><td>=</td><td><b id="wt-fm">{e.feature_map_value:.3f}</b></td>'
             f"<td>what the network produced at that pixel</td></tr>",
             "</table>",
             f"<p>{_agree(e.value, e.feature_map_value)}</p></div>"]
    return "\n".join(lines)


def _reads(e):
    """(which value, what its kernel reads, C3's per-S2-map terms or None) for an explanation's text."""
    where = f"{e.layer} map #{e.fmap + 1}, row {e.row}, column {e.col}"
    src = "the scaled input" if e.layer == "C1" else "S2 maps " + ", ".join(f"#{i + 1}" for i in e.connected)
    terms = _terms(e.per_input) if e.layer == "C3" else None
    return where, src, terms


def _terms(values):
    """[2.05, 1.99, -0.5] -> "2.05 + 1.99 − 0.50": a sum as it is written by hand."""
    out = f"{values[0]:.2f}" if values else ""
    for v in values[1:]:
        out += f" {'−' if v < 0 else '+'} {abs(v):.2f}"
    return out


def _agree(computed, network):
    """One sentence on how the sum written out compares with the network's own number."""
    gap = abs(computed - network)
    if gap < 5e-4:
        return "The same as the network's own number (to the 3 decimals shown)."
    return f"They differ by {gap:.3f} (rounding inside the network)."


def _sum_html(e):
    """explanation_html for a map of sums before squashing: Σ patch·kernel + bias = z, no f."""
    where, src, terms = _reads(e)
    lines = [f'<div id="wt-explain" data-layer="{e.layer}" data-map="{e.fmap}" data-row="{e.row}" '
             f'data-col="{e.col}" data-stage="before" data-sum="{e.z!r}" data-fm="{e.shown!r}">',
             f"<h3>Why the sum before squashing at {html.escape(where)} = {e.shown:.3f}</h3>",
             f"<p>The kernel reads a 5×5 window of {html.escape(src)}. The map shows the sum itself: the "
             f"same computation as its activation, without the last step f = {html.escape(e.activation)}.</p>",
             '<table class="wt-sum">',
             f"<tr><td>Σ patch · kernel</td><td>=</td><td>{e.total:+.3f}</td>"
             f"<td>{'(' + terms + ', one per S2 map)' if terms else '(25 products)'}</td></tr>",
             f"<tr><td>+ bias</td><td>=</td><td>{e.bias:+.3f}</td><td></td></tr>",
             f'<tr><td>z</td><td>=</td><td><b id="wt-value">{e.z:.3f}</b></td>'
             f"<td>the computed sum, before squashing</td></tr>",
             f'<tr><td>sum shown</td><td>=</td><td><b id="wt-fm">{e.shown:.3f}</b></td>'
             f"<td>what the map of sums holds at that pixel</td></tr>",
             "</table>",
             f"<p>{_agree(e.z, e.shown)} After squashing, f(z) = {e.value:.3f}; the "
             f"network's own {html.escape(e.layer)} map holds {e.feature_map_value:.3f} there.</p></div>"]
    return "\n".join(lines)


EXPLAIN_PROMPT = ('<div id="wt-explain" class="wt-empty">Click any pixel of a C1 or C3 map above to see '
                  "the 5×5 patch, the kernel and the sum that give its value.</div>")
