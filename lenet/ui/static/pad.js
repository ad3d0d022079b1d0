// The drawing pad (lenet/ui/pad.py): run by Gradio's gr.HTML as `js_on_load`, with `element`
// (the component), `props` (setting props.value sends it: Gradio fires the pad's .change) in scope.
//
// - Pointer events cover mouse, pen and touch (the square has touch-action: none). The pointer is
//   captured, and a stroke may begin just outside the square, so a stroke that starts or ends
//   outside draws its inside part: points are kept in square units (0..1), the canvas clips lines.
// - Strokes are kept as point lists: Undo pops one, the eraser is a stroke that removes ink,
//   resizing redraws them sharply at the screen's resolution.
// - Live: while the pen moves the drawing is sent at most every THROTTLE_MS, and at once at
//   pen-up. The server runs only the newest waiting update (trigger_mode="always_last"). Under a
//   crowd the server asks for a slower pace (the lenet-pace cookie its answers set, gate/pad_line.py):
//   a stroke's later live updates wait at least that long after its last live one; its first live
//   update (marked `first`, read before other live ones) and pen-ups, undo and clear never wait, so
//   every stroke shows a live answer.
// - What is sent: the strokes redrawn on a white EXPORT x EXPORT canvas, as a PNG data URL
//   (~3-8 KB), with a sequence number the answer echoes (#digit [data-seq]); `live: true` while the
//   pen is down (a busy server answers pen-ups first and may skip live ones: pad.py).
// - window.lenetPad.latencies: ms from each pen-up to its answer painted on the page.
// - An example (a 7; "42" on the wide pad) is drawn and sent when the page opens, so every tab has
//   something to show before the first drawing; the first stroke, Clear or Undo removes it.
const EXPORT = 280;          // px, the height of the picture sent (as pad.EXPORT in Python)
const PEN = 24 / 280;        // pen width as a share of the pad's height: ~MNIST's stroke for a digit of ~2/3 of it
const ERASER = 2.2 * PEN;
const THROTTLE_MS = 100;     // at most ~10 updates a second while drawing
const PACE_MAX_MS = 2000;    // the longest pace the page obeys (the server asks for at most 800)
const BUSY_MS = 500;         // an answer slower than this means a busy server (a crowd on the link; a far
                             // network adds ~100-300 ms): live updates pause for the rest of the stroke, pen-ups always send

// A wide pad (pad.component(aspect=3), for whole numbers) is ASPECT times as wide as high; points
// stay in pad units (0..1 across, 0..1 down) and it sends EXPORT*ASPECT x EXPORT px.
const ASPECT = Number(element.querySelector('.pad-wrap').dataset.aspect || 1);
const area = element.querySelector('.pad-area');
const canvas = element.querySelector('.pad-canvas');
const ctx = canvas.getContext('2d');
const strokes = [];          // {tool, points: [[x, y], ...]} in square units
let current = null, tool = 'pen', seq = 0, lastSent = 0, lastLive = -1e9, timer = null, dirty = false;
let strokeLive = 0;          // live updates sent in the current stroke
let lag = 0;                 // ms from sending an update to its answer on the page, the latest answered
const sentAt = new Map();    // seq -> when it was sent (the last few)
const pad = ASPECT === 1 ? (window.lenetPad = window.lenetPad || {latencies: [], sent: 0})
                          : (window.lenetWidePad = window.lenetWidePad || {latencies: [], sent: 0});

function fit() {             // backing store = displayed size x device pixels: crisp on any screen
  const w = Math.max(1, Math.round(canvas.getBoundingClientRect().width * (window.devicePixelRatio || 1)));
  const h = Math.max(1, Math.round(w / ASPECT));
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; redraw(ctx, w, h); }
}

function paint(c, s, w, h, from) {   // one stroke (from point `from` on) onto context c of a w x h canvas
  const p = s.points;
  c.save();
  c.globalCompositeOperation = s.tool === 'eraser' ? 'destination-out' : 'source-over';
  c.strokeStyle = c.fillStyle = '#000';
  c.lineWidth = (s.tool === 'eraser' ? ERASER : PEN) * h;
  c.lineCap = c.lineJoin = 'round';
  c.beginPath();
  if (p.length === 1) {
    c.arc(p[0][0] * w, p[0][1] * h, c.lineWidth / 2, 0, 2 * Math.PI);
    c.fill();
  } else {
    const start = Math.max(0, from - 1);
    c.moveTo(p[start][0] * w, p[start][1] * h);
    for (let i = start + 1; i < p.length; i++) c.lineTo(p[i][0] * w, p[i][1] * h);
    c.stroke();
  }
  c.restore();
}

function redraw(c, w, h) {
  c.clearRect(0, 0, w, h);
  for (const s of strokes) paint(c, s, w, h, 0);
}

// The example, in pad units (strokes of [x, y] points), as a person would draw it.
const EXAMPLE = ASPECT === 1 ? [[[0.27, 0.22], [0.73, 0.22], [0.44, 0.82]]]
  : [[[0.16, 0.15], [0.06, 0.6], [0.26, 0.6]], [[0.2, 0.3], [0.2, 0.88]],
     [[0.36, 0.3], [0.4, 0.16], [0.5, 0.16], [0.53, 0.32], [0.36, 0.84], [0.56, 0.84]]];
const note = element.querySelector('.pad-example');
let example = false;
function showExample() {
  for (const points of EXAMPLE) strokes.push({tool: 'pen', points: points});
  example = true;
  if (note) note.hidden = false;
  redraw(ctx, canvas.width, canvas.height);
  dirty = true;
  send();
}
function dropExample() {     // the person starts their own drawing: the example goes, unsent
  if (!example) return;
  example = false;
  if (note) note.hidden = true;
  strokes.length = 0;
  redraw(ctx, canvas.width, canvas.height);
}

function exported() {        // the strokes on white at EXPORT px, or '' for an empty pad
  if (!strokes.length) return '';
  const w = Math.round(EXPORT * ASPECT), h = EXPORT;
  const ink = document.createElement('canvas');
  ink.width = w; ink.height = h;
  redraw(ink.getContext('2d'), w, h);
  const out = document.createElement('canvas');
  out.width = w; out.height = h;
  const o = out.getContext('2d');
  o.fillStyle = '#fff';
  o.fillRect(0, 0, w, h);
  o.drawImage(ink, 0, 0);
  return out.toDataURL('image/png');
}

function send() {
  clearTimeout(timer);
  timer = null;
  if (!dirty) return;
  dirty = false;
  lastSent = performance.now();
  seq += 1;
  pad.seq = seq;
  pad.sent += 1;
  sentAt.set(seq, lastSent);
  if (sentAt.size > 32) sentAt.delete(sentAt.keys().next().value);
  const live = current !== null;   // the pen is still down; pen-up, undo and clear are not live
  const first = live && strokeLive === 0;
  if (live) { lastLive = lastSent; strokeLive += 1; }
  props.value = JSON.stringify(!live ? {seq: seq, png: exported()}
    : first ? {seq: seq, live: true, first: true, png: exported()} : {seq: seq, live: true, png: exported()});
}

function pace() {            // ms the server asks between live updates (THROTTLE_MS when it does not say)
  const m = document.cookie.match(/(?:^|;\s*)lenet-pace=(\d+)/);
  return m ? Math.min(PACE_MAX_MS, Math.max(THROTTLE_MS, Number(m[1]))) : THROTTLE_MS;
}

function changed(now) {      // throttled while drawing: the first change goes at once, then every THROTTLE_MS
  dirty = true;
  if (!now && current !== null && lag > BUSY_MS) return;   // busy server: this stroke waits for its pen-up
  const t = performance.now();
  const wait = now ? 0 : Math.max(THROTTLE_MS - (t - lastSent), pace() - (t - lastLive));
  if (now || wait <= 0) send();
  else if (!timer) timer = setTimeout(send, wait);
}

function at(e) {
  const r = canvas.getBoundingClientRect();
  return [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height];
}

// A stroke may begin a little outside the square (a 7's bar started above it): any pointer-down
// within MARGIN of the square, not on a control, starts one. Listened for on the document.
const MARGIN = 0.15;         // share of the square's side
document.addEventListener('pointerdown', (e) => {
  if (e.button !== undefined && e.button > 0) return;        // right/middle click: not a stroke
  if (!canvas.isConnected || !canvas.getBoundingClientRect().width) return;   // another tab is showing
  const [x, y] = at(e);
  const mx = MARGIN / ASPECT;   // the same distance in px across a wide pad
  if (x < -mx || x > 1 + mx || y < -MARGIN || y > 1 + MARGIN) return;
  const inside = x >= 0 && x <= 1 && y >= 0 && y <= 1;
  if (!inside && e.target.closest('button, a, input, label, select, textarea, [role="tab"]')) return;
  if (!inside && e.pointerType === 'touch') return;   // a finger beside the pad is scrolling, not drawing
  e.preventDefault();
  dropExample();
  area.setPointerCapture(e.pointerId);
  current = {tool: tool, points: [[x, y]], id: e.pointerId};
  strokes.push(current);
  lastLive = -1e9;           // the pace is kept within a stroke: each stroke's first live update goes at once
  strokeLive = 0;
  paint(ctx, current, canvas.width, canvas.height, 0);
  changed(false);
}, true);
area.addEventListener('pointermove', (e) => {
  if (!current || e.pointerId !== current.id) return;
  e.preventDefault();
  const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
  const from = current.points.length;
  for (const ev of (events.length ? events : [e])) current.points.push(at(ev));
  paint(ctx, current, canvas.width, canvas.height, from);
  changed(false);
});
function penUp(e) {
  if (!current || e.pointerId !== current.id) return;
  const seen = current.points.some(([x, y]) => x >= 0 && x <= 1 && y >= 0 && y <= 1);
  current = null;
  if (!seen) { strokes.pop(); dirty = false; return; }   // never entered the pad: no invisible stroke to undo
  dirty = true;              // every pen-up sends, so it has an answer of its own to wait for
  send();
  pad.penUp = {seq: seq, t: performance.now()};
}
area.addEventListener('pointerup', penUp);
area.addEventListener('pointercancel', penUp);

element.querySelectorAll('.pad-tool').forEach((b) => b.addEventListener('click', () => {
  tool = b.dataset.tool;
  element.querySelectorAll('.pad-tool').forEach((o) => o.setAttribute('aria-pressed', String(o === b)));
}));
element.querySelector('[data-act="undo"]').addEventListener('click', () => {
  if (!strokes.length) return;
  if (example) { dropExample(); changed(true); return; }
  strokes.pop();
  redraw(ctx, canvas.width, canvas.height);
  changed(true);
});
element.querySelector('[data-act="clear"]').addEventListener('click', () => {
  dropExample();
  strokes.length = 0;
  current = null;
  redraw(ctx, canvas.width, canvas.height);
  changed(true);
});

new ResizeObserver(fit).observe(canvas);
fit();
setTimeout(() => { if (!strokes.length) showExample(); }, 0);

// The wide pad: each digit's box and reading from the Number tab's answer, laid over the drawing
// itself (the answer keeps them, hidden, in % of the picture sent: the same frame as the canvas).
if (ASPECT !== 1) {
  const layer = document.createElement('div');
  layer.className = 'num-overlay';
  layer.setAttribute('aria-hidden', 'true');
  area.appendChild(layer);
  let last = null;
  new MutationObserver(() => {
    const view = document.querySelector('#number-answer .num-view');
    const html = view ? view.innerHTML : '';
    if (html !== last) { last = html; layer.innerHTML = html; }
  }).observe(document.body, {childList: true, subtree: true});
}

// Each answer's lag (for BUSY_MS), and pen-up -> answer on screen: the answer carrying the pen-up's
// seq, one frame after it lands.
if (ASPECT === 1) new MutationObserver(() => {
  const shown = document.querySelector('#digit [data-seq]');
  const answered = shown ? Number(shown.dataset.seq) : null;
  if (sentAt.has(answered)) { lag = performance.now() - sentAt.get(answered); sentAt.delete(answered); }
  const up = pad.penUp;
  if (!shown || !up || Number(shown.dataset.seq) !== up.seq) return;
  pad.penUp = null;
  requestAnimationFrame(() => pad.latencies.push(performance.now() - up.t));
}).observe(document.body, {childList: true, subtree: true, attributes: true, attributeFilter: ['data-seq']});
