// A line plot on a canvas of its own: axes with round-number ticks, gaps
// where the function is not finite, a marker at the current point and a
// crosshair readout on hover. (~200 lines; uPlot would add a dependency and
// a copy step for one line series.)

const PAD = { left: 58, right: 16, top: 14, bottom: 34 };

/** Round-number ticks covering [lo, hi], about `count` of them. */
export function ticks(lo, hi, count) {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  }
  return out;
}

/** A short label for an axis value. */
export function label(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
}

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export class Plot {
  /** @param {HTMLCanvasElement} canvas @param {HTMLElement} readout */
  constructor(canvas, readout) {
    this.canvas = canvas;
    this.readout = readout;
    this.data = null;
    this.hover = null;
    new ResizeObserver(() => this.render()).observe(canvas);
    canvas.addEventListener('pointermove', (e) => {
      const r = canvas.getBoundingClientRect();
      this.hover = { x: e.clientX - r.left, y: e.clientY - r.top };
      this.render();
    });
    canvas.addEventListener('pointerleave', () => {
      this.hover = null;
      this.render();
    });
  }

  /**
   * @param {{ xs: Float64Array, ys: Float64Array, xName: string,
   *           marker?: { x: number, y: number },
   *           ys2?: Float64Array | null } | null} data
   * `ys2` is a second series (the derivative), drawn dashed in its own
   * colour; the y range covers both.
   */
  set(data) {
    this.data = data;
    this.render();
  }

  /**
   * The y range to show: the finite values, padded; a flat line gets ±1.
   * Poles (tan, 1/x) would flatten everything else, so when the extremes
   * are far outside the 2nd–98th percentiles, those set the range.
   */
  yRange(ys) {
    const finite = Float64Array.from(ys).filter(Number.isFinite).sort();
    if (finite.length === 0) return null;
    let lo = finite[0];
    let hi = finite[finite.length - 1];
    const q = (p) => finite[Math.min(finite.length - 1, Math.floor(p * finite.length))];
    const [qlo, qhi] = [q(0.02), q(0.98)];
    if (qhi > qlo && hi - lo > 4 * (qhi - qlo)) {
      const pad = (qhi - qlo) * 0.25;
      [lo, hi] = [Math.max(lo, qlo - pad), Math.min(hi, qhi + pad)];
    }
    if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
      const d = Math.max(1, Math.abs(hi) * 0.1);
      return [lo - d, hi + d];
    }
    const pad = (hi - lo) * 0.06;
    return [lo - pad, hi + pad];
  }

  render() {
    const { canvas } = this;
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (w === 0 || h === 0) return;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const g = canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const d = this.data;
    canvas.dataset.points = '0';
    if (!d || d.xs.length < 2) {
      this.readout.textContent = '';
      return;
    }
    const yr = this.yRange(d.ys2 ? Float64Array.from([...d.ys, ...d.ys2]) : d.ys);
    const x0 = d.xs[0];
    const x1 = d.xs[d.xs.length - 1];
    const [y0, y1] = yr ?? [-1, 1];
    const pw = w - PAD.left - PAD.right;
    const ph = h - PAD.top - PAD.bottom;
    const sx = (x) => PAD.left + ((x - x0) / (x1 - x0)) * pw;
    const sy = (y) => PAD.top + (1 - (y - y0) / (y1 - y0)) * ph;
    const font = css('--mono');
    const muted = css('--muted');

    // Grid and tick labels.
    g.font = `11px ${font}`;
    g.lineWidth = 1;
    g.strokeStyle = css('--grid');
    g.fillStyle = muted;
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (const t of ticks(x0, x1, Math.max(2, Math.floor(pw / 90)))) {
      const x = Math.round(sx(t)) + 0.5;
      g.beginPath();
      g.moveTo(x, PAD.top);
      g.lineTo(x, PAD.top + ph);
      g.stroke();
      g.fillText(label(t), x, PAD.top + ph + 7);
    }
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (const t of ticks(y0, y1, Math.max(2, Math.floor(ph / 48)))) {
      const y = Math.round(sy(t)) + 0.5;
      g.beginPath();
      g.moveTo(PAD.left, y);
      g.lineTo(PAD.left + pw, y);
      g.stroke();
      g.fillText(label(t), PAD.left - 8, y);
    }
    // The zero lines, a little stronger.
    g.strokeStyle = css('--axis');
    if (y0 < 0 && y1 > 0) {
      const y = Math.round(sy(0)) + 0.5;
      g.beginPath();
      g.moveTo(PAD.left, y);
      g.lineTo(PAD.left + pw, y);
      g.stroke();
    }
    g.strokeRect(PAD.left + 0.5, PAD.top + 0.5, pw - 1, ph - 1);
    g.textAlign = 'right';
    g.textBaseline = 'bottom';
    g.fillText(d.xName, PAD.left + pw, h - 1);

    // The curves, broken where they are not finite.
    g.save();
    g.beginPath();
    g.rect(PAD.left, PAD.top, pw, ph);
    g.clip();
    g.lineWidth = 2;
    g.lineJoin = 'round';
    const curve = (ys) => {
      g.beginPath();
      let pen = false;
      let drawn = 0;
      let side = 0;
      for (let i = 0; i < d.xs.length; i++) {
        const y = ys[i];
        if (!Number.isFinite(y)) {
          pen = false;
          continue;
        }
        const px = sx(d.xs[i]);
        // Far off-canvas points are clamped; the clip hides them anyway.
        const py = Math.max(-1e4, Math.min(1e4, sy(y)));
        // From above the plot to below it in one step is a pole: no line.
        const now = y > y1 ? 1 : y < y0 ? -1 : 0;
        if (pen && now * side !== -1) g.lineTo(px, py);
        else g.moveTo(px, py);
        pen = true;
        side = now;
        drawn++;
      }
      g.stroke();
      return drawn;
    };
    if (d.ys2) {
      g.strokeStyle = css('--plot-line-2') || css('--marker');
      g.setLineDash([6, 4]);
      canvas.dataset.points2 = String(curve(d.ys2));
      g.setLineDash([]);
    } else {
      canvas.dataset.points2 = '0';
    }
    g.strokeStyle = css('--plot-line');
    canvas.dataset.points = String(curve(d.ys));

    // The current point (the variables' values).
    const m = d.marker;
    if (m && Number.isFinite(m.y) && m.x >= x0 && m.x <= x1) {
      g.strokeStyle = css('--marker');
      g.setLineDash([4, 4]);
      g.beginPath();
      g.moveTo(sx(m.x), PAD.top);
      g.lineTo(sx(m.x), PAD.top + ph);
      g.stroke();
      g.setLineDash([]);
      g.fillStyle = css('--marker');
      g.beginPath();
      g.arc(sx(m.x), sy(m.y), 4.5, 0, 2 * Math.PI);
      g.fill();
    }

    // Hover: the nearest sample.
    const hv = this.hover;
    if (hv && hv.x >= PAD.left && hv.x <= PAD.left + pw) {
      const i = Math.round(((hv.x - PAD.left) / pw) * (d.xs.length - 1));
      const x = d.xs[i];
      const y = d.ys[i];
      g.strokeStyle = muted;
      g.beginPath();
      g.moveTo(sx(x), PAD.top);
      g.lineTo(sx(x), PAD.top + ph);
      g.stroke();
      if (Number.isFinite(y)) {
        g.fillStyle = css('--plot-line');
        g.beginPath();
        g.arc(sx(x), sy(y), 3.5, 0, 2 * Math.PI);
        g.fill();
      }
      const show = (v) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v);
      const slope = d.ys2 ? `,  f′ = ${show(d.ys2[i])}` : '';
      this.readout.textContent = `${d.xName} = ${label(x)}  →  ${show(y)}${slope}`;
    } else {
      this.readout.textContent = '';
    }
    g.restore();
  }
}
