import { clock, type TimelineData } from './report-content';

/**
 * The timeline chart, drawn with the PDF's vector primitives (no image): bars of characters typed per
 * speed window over the session's time, shaded bands where the writer was away from the page, and
 * each flag's stretch as a numbered mark under the axis, coloured by severity.
 */

export const SEVERITY_COLOUR = { low: '#b7950b', medium: '#ca6f1e', high: '#b03a2e' } as const;
const BAR = '#2e86c1';
const AWAY = '#f5cba7';
const INK = '#333333';

/** Tick spacing: the first of these (in minutes) that gives at most eight ticks. */
const TICK_MINUTES = [0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 240, 480];

export function drawTimeline(doc: PDFKit.PDFDocument, data: TimelineData, x: number, y: number, width: number, height: number): number {
  const plotH = height - 30;
  const baseY = y + plotH;
  const span = Math.max(1, data.durationMs);
  const xAt = (t: number) => x + (Math.min(Math.max(t, 0), span) / span) * width;

  for (const a of data.away) {
    doc.rect(xAt(a.tFrom), y, Math.max(0.8, xAt(a.tTo) - xAt(a.tFrom)), plotH).fill(AWAY);
  }
  const most = Math.max(1, ...data.windows.map((w) => w.chars));
  for (const w of data.windows) {
    if (w.chars === 0) continue;
    const h = (w.chars / most) * (plotH - 4);
    const left = xAt(w.tFrom);
    const barW = Math.max(0.8, xAt(w.tFrom + data.windowMs) - left - 0.6);
    doc.rect(left, baseY - h, barW, h).fill(BAR);
  }
  doc
    .moveTo(x, baseY)
    .lineTo(x + width, baseY)
    .lineWidth(0.6)
    .strokeColor(INK)
    .stroke();
  doc.fontSize(6.5).fillColor(INK).font('Helvetica');
  doc.text(`${most} chars/min`, x + 2, y, { lineBreak: false });

  const step = (TICK_MINUTES.find((m) => span / (m * 60_000) <= 8) ?? 960) * 60_000;
  for (let t = 0; t <= span; t += step) {
    doc
      .moveTo(xAt(t), baseY)
      .lineTo(xAt(t), baseY + 3)
      .stroke();
    doc.text(clock(t), Math.min(xAt(t) - 8, x + width - 20), baseY + 4, { lineBreak: false });
  }

  const markY = baseY + 14;
  // Flags close in time share the strip; their numbers step to the right so none hides another.
  let labelEnd = -Infinity;
  for (const f of data.flags) {
    const left = xAt(f.tFrom);
    const w = Math.max(2.5, xAt(f.tTo) - left);
    doc.rect(left, markY, w, 4).fill(SEVERITY_COLOUR[f.severity]);
    const label = String(f.number);
    const labelX = Math.min(Math.max(left, labelEnd + 2), x + width - doc.widthOfString(label));
    doc.fillColor(SEVERITY_COLOUR[f.severity]).text(label, labelX, markY + 5, { lineBreak: false });
    labelEnd = labelX + doc.widthOfString(label);
  }
  doc.fillColor(INK);
  return y + height;
}
