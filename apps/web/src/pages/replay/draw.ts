import { density, type PlacedFlag, type ReplayIndex, type Series, type Timeline } from '@veritas/replay';

export const SEVERITY_COLOR = { low: '#d9a400', medium: '#e2711d', high: '#c0262d' } as const;
const ORIGIN_TICK = { 'paste-internal': '#7b5cd6', 'paste-external': '#d6336c' } as const;

/** Sizes a canvas to its box at the device's pixel ratio and returns its 2D context in CSS pixels. */
export function fitCanvas(canvas: HTMLCanvasElement, height: number): { ctx: CanvasRenderingContext2D; w: number; h: number } {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, canvas.clientWidth);
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h: height };
}

export const FLAG_BAND = 14;

/**
 * The scrubber's background: time away (grey bands), activity density (bars), pastes (ticks),
 * violations and marks, and the flags in a band on top. Drawn once per size; the playhead is a
 * separate element that moves over it.
 */
export function drawScrubber(canvas: HTMLCanvasElement, index: ReplayIndex, tl: Timeline): void {
  const { ctx, w, h } = fitCanvas(canvas, 72);
  const span = Math.max(1, tl.t1 - tl.t0);
  const x = (t: number) => ((t - tl.t0) / span) * w;
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = '#eef0f4';
  ctx.fillRect(0, FLAG_BAND, w, h - FLAG_BAND);
  ctx.fillStyle = 'rgba(90, 96, 110, 0.28)';
  for (const a of tl.away) ctx.fillRect(x(a.tFrom), FLAG_BAND, Math.max(1, x(a.tTo) - x(a.tFrom)), h - FLAG_BAND);
  const d = density(index, Math.max(1, Math.floor(w / 2)));
  const values = d.ops.some((v) => v > 0) ? d.chars : d.keys;
  let peak = 1;
  for (const v of values) peak = Math.max(peak, v);
  ctx.fillStyle = '#3b6fd8';
  const bw = w / values.length;
  const base = h - 4;
  const room = h - FLAG_BAND - 10;
  values.forEach((v, i) => {
    if (v === 0) return;
    const bh = Math.max(1, (Math.sqrt(v) / Math.sqrt(peak)) * room);
    ctx.fillRect(i * bw, base - bh, Math.max(1, bw - 0.5), bh);
  });
  for (const p of tl.pastes) {
    ctx.fillStyle = ORIGIN_TICK[p.origin];
    ctx.fillRect(x(p.t) - 1, FLAG_BAND, 2, h - FLAG_BAND);
  }
  ctx.fillStyle = '#c0262d';
  for (const v of tl.violations) ctx.fillRect(x(v.t) - 1, h - 8, 3, 8);
  ctx.fillStyle = '#1d2330';
  for (const m of tl.marks) ctx.fillRect(x(m.t), FLAG_BAND, 1, 6);
  for (const f of tl.flags) drawFlag(ctx, f, x);
}

function drawFlag(ctx: CanvasRenderingContext2D, f: PlacedFlag, x: (t: number) => number): void {
  const a = x(f.tFrom);
  const b = Math.max(a + 2, x(f.tTo));
  ctx.fillStyle = SEVERITY_COLOR[f.severity];
  ctx.globalAlpha = 0.35;
  ctx.fillRect(a, 2, b - a, FLAG_BAND - 4);
  ctx.globalAlpha = 1;
  ctx.beginPath();
  ctx.moveTo(a - 5, 0);
  ctx.lineTo(a + 5, 0);
  ctx.lineTo(a, FLAG_BAND - 2);
  ctx.closePath();
  ctx.fill();
}

/** The flag under an x position of the flag band, if any (within 6 px of its start or inside its span). */
export function flagAt(tl: Timeline, px: number, w: number): PlacedFlag | undefined {
  const span = Math.max(1, tl.t1 - tl.t0);
  const x = (t: number) => ((t - tl.t0) / span) * w;
  let best: PlacedFlag | undefined;
  let bestD = 7;
  for (const f of tl.flags) {
    const a = x(f.tFrom);
    const d = px >= a && px <= x(f.tTo) ? 0 : Math.abs(px - a);
    if (d < bestD) {
      best = f;
      bestD = d;
    }
  }
  return best;
}

export const CHART_ROW = 56;

/** Series as line charts, one row each, over the same time axis as the scrubber (min/max per pixel column). */
export function drawCharts(canvas: HTMLCanvasElement, series: readonly Series[], t0: number, t1: number): void {
  const { ctx, w, h } = fitCanvas(canvas, series.length * CHART_ROW);
  ctx.clearRect(0, 0, w, h);
  const span = Math.max(1, t1 - t0);
  series.forEach((s, row) => {
    const top = row * CHART_ROW + 14;
    const ch = CHART_ROW - 20;
    ctx.fillStyle = row % 2 ? '#f3f5f8' : '#fafbfc';
    ctx.fillRect(0, row * CHART_ROW, w, CHART_ROW);
    ctx.fillStyle = '#5a6070';
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillText(`${s.name}  [${fmt(s.min)} … ${fmt(s.max)}]`, 4, row * CHART_ROW + 11);
    const range = s.max - s.min || 1;
    const y = (v: number) => top + ch - ((v - s.min) / range) * ch;
    ctx.strokeStyle = s.source === 'metric' ? '#3b6fd8' : '#2f9e6e';
    ctx.lineWidth = 1;
    ctx.beginPath();
    let col = -1;
    let lo = 0;
    let hi = 0;
    const flush = () => {
      if (col < 0) return;
      ctx.lineTo(col + 0.5, y(lo));
      ctx.lineTo(col + 0.5, y(hi));
    };
    for (let i = 0; i < s.t.length; i++) {
      const c = Math.floor(((s.t[i]! - t0) / span) * (w - 1));
      const v = s.v[i]!;
      if (c !== col) {
        flush();
        if (col < 0) ctx.moveTo(c + 0.5, y(v));
        col = c;
        lo = hi = v;
      } else {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    flush();
    ctx.stroke();
  });
}

export function fmt(v: number): string {
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(2);
}

/** Times on the scrubber and in the flag list read as they do in the flags' own messages. */
export { clock } from '@veritas/analysis';
