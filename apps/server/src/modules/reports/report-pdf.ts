import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { clock, type ReportContent } from './report-content';
import { shorten, winAnsi } from './pdf-text';
import { drawTimeline, SEVERITY_COLOUR } from './timeline-chart';

/**
 * Draws a report's content as a PDF with pdfkit (ADR 0026): A4, the standard Helvetica fonts, vector
 * drawing only. The certificate travels in three forms: printed (its id, key id and chain head), in the
 * document information (`VeritasCertificate`, `VeritasChainHead`: plain strings any PDF reader, and a
 * browser with a short regular expression, can read) and as attached files `certificate.jws` and
 * `chain.json`, so a verifier can take the JWS out exactly as it was signed.
 */

const MARGIN = 40;
const INK = '#222222';
const MUTED = '#666666';

/** File names and information keys the verify page reads (ADR 0026). */
export const CERTIFICATE_ATTACHMENT = 'certificate.jws';
export const CHAIN_ATTACHMENT = 'chain.json';

function heading(doc: PDFKit.PDFDocument, text: string): void {
  doc.moveDown(0.5).font('Helvetica-Bold').fontSize(10.5).fillColor(INK).text(text, MARGIN);
  doc.moveDown(0.15).font('Helvetica').fontSize(8.5);
}

function paragraph(doc: PDFKit.PDFDocument, text: string, width: number, colour = INK): void {
  doc.font('Helvetica').fontSize(8.5).fillColor(colour).text(winAnsi(text), MARGIN, undefined, { width, lineGap: 0.5 });
}

function drawFacts(doc: PDFKit.PDFDocument, c: ReportContent, width: number): void {
  const col = width / 3;
  const top = doc.y;
  c.facts.forEach(([k, v], i) => {
    const x = MARGIN + (i % 3) * col;
    const y = top + Math.floor(i / 3) * 20;
    doc
      .font('Helvetica')
      .fontSize(6.5)
      .fillColor(MUTED)
      .text(k.toUpperCase(), x, y, { width: col - 6, lineBreak: false });
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor(INK)
      .text(winAnsi(v), x, y + 7.5, { width: col - 6, lineBreak: false, ellipsis: true });
  });
  doc.x = MARGIN;
  doc.y = top + Math.ceil(c.facts.length / 3) * 20;
}

function drawFlags(doc: PDFKit.PDFDocument, c: ReportContent, width: number): void {
  if (c.flags.length === 0) {
    paragraph(doc, 'The analysis raised no flag.', width);
    return;
  }
  for (const f of c.flags) {
    doc.font('Helvetica-Bold').fontSize(8.5).fillColor(SEVERITY_COLOUR[f.severity]);
    doc.text(`${f.number}. ${f.detector} (${f.severity})`, MARGIN, undefined, { continued: true, width });
    doc.font('Helvetica').fillColor(INK).text(`  review: ${f.outcome}`);
    paragraph(doc, `${f.explanation} ${f.measured}`, width);
    const where = `Evidence: ${clock(f.tFrom)}-${clock(f.tTo)}, events ${f.seqFrom}-${f.seqTo}`;
    paragraph(doc, f.excerpt ? `${where}: "${shorten(f.excerpt, 160)}"` : `${where}.`, width, MUTED);
    doc.moveDown(0.2);
  }
}

function drawCertificate(doc: PDFKit.PDFDocument, c: ReportContent, width: number, qr: QRCode.QRCode): void {
  const size = 72;
  const textW = width - size - 12;
  const top = doc.y;
  const lines = c.certificate
    ? [
        `Certificate ${c.certificate.id}, ${c.certificate.state}${c.certificate.revokedAt ? ` (revoked ${c.certificate.revokedAt.toISOString().slice(0, 10)})` : ''}, ` +
          `issued ${c.certificate.issuedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC.`,
        `Signed with key ${c.certificate.kid} (Ed25519; public keys at /.well-known/jwks.json).`,
        `Analysis digest: ${c.certificate.analysisDigest}`,
      ]
    : ['No certificate has been issued for this session yet.'];
  lines.push(`Chain head: ${c.chainHead}`);
  lines.push(
    `To check it, open ${c.verifyUrl} (or scan the code) and drop this PDF: it carries the certificate (${CERTIFICATE_ATTACHMENT}) and the chain head (${CHAIN_ATTACHMENT}) as attached files.`,
  );
  for (const l of lines) doc.font('Helvetica').fontSize(8).fillColor(INK).text(winAnsi(l), MARGIN, undefined, { width: textW });
  const cell = size / qr.modules.size;
  const qx = MARGIN + width - size;
  for (let row = 0; row < qr.modules.size; row++)
    for (let col = 0; col < qr.modules.size; col++) if (qr.modules.get(row, col)) doc.rect(qx + col * cell, top + row * cell, cell, cell);
  doc.fill('#000000');
  doc.y = Math.max(doc.y, top + size + 4);
}

/** Renders the report; resolves with the whole PDF. */
export function renderReportPdf(c: ReportContent, createdAt: Date): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    // A report of the same analysis and certificate is the same document: its dates are theirs, not the clock's.
    info: {
      Title: winAnsi(`Veritas process report: ${c.title}`),
      Subject: `Session ${c.facts[0]?.[1] ?? ''}`,
      Creator: 'Veritas',
      Producer: 'Veritas (pdfkit)',
      CreationDate: createdAt,
      ModDate: createdAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (b: Buffer) => chunks.push(b));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - 2 * MARGIN;
  if (c.certificate) {
    // Custom entries of the document information; @types/pdfkit lists only the standard ones.
    const info = doc.info as Record<string, unknown>;
    info.VeritasCertificate = c.certificate.jws;
    info.VeritasCertificateKid = c.certificate.kid;
    doc.file(Buffer.from(c.certificate.jws, 'utf8'), {
      name: CERTIFICATE_ATTACHMENT,
      type: 'application/jose',
      description: 'The session certificate: a compact JWS (EdDSA)',
      creationDate: c.certificate.issuedAt,
      modifiedDate: c.certificate.issuedAt,
    });
  }
  (doc.info as Record<string, unknown>).VeritasChainHead = c.chainHead;
  const chain = { sessionId: c.facts[0]?.[1] ?? '', chainHead: c.chainHead, certificateId: c.certificate?.id ?? null, kid: c.certificate?.kid ?? null };
  doc.file(Buffer.from(JSON.stringify(chain, null, 2), 'utf8'), {
    name: CHAIN_ATTACHMENT,
    type: 'application/json',
    description: 'The session id and its hash chain head',
    creationDate: createdAt,
    modifiedDate: createdAt,
  });

  doc
    .font('Helvetica-Bold')
    .fontSize(15)
    .fillColor(INK)
    .text(winAnsi(shorten(c.title, 80)), MARGIN, MARGIN, { width });
  doc.font('Helvetica').fontSize(8.5).fillColor(MUTED).text('Veritas process report', { width });
  doc.moveDown(0.4);
  drawFacts(doc, c, width);

  heading(doc, 'Summary');
  paragraph(doc, c.summary, width);
  paragraph(doc, c.about, width, MUTED);

  heading(doc, 'Chronology');
  doc.y = drawTimeline(doc, c.timeline, MARGIN, doc.y + 2, width, 92) + 2;
  paragraph(doc, 'Bars: characters typed per minute. Shaded: time away from the page. Numbered marks under the axis: the flags below.', width, MUTED);
  const half = Math.ceil(c.chronology.length / 2);
  const top = doc.y + 2;
  c.chronology.forEach((e, i) => {
    const x = MARGIN + (i < half ? 0 : width / 2);
    const y = top + (i % half) * 10.5;
    doc.font('Helvetica-Bold').fontSize(8).fillColor(INK).text(clock(e.t), x, y, { width: 40, lineBreak: false });
    doc.font('Helvetica').text(winAnsi(shorten(e.text, 70)), x + 40, y, { width: width / 2 - 44, lineBreak: false, ellipsis: true });
  });
  doc.x = MARGIN;
  doc.y = top + half * 10.5;
  if (c.chronologyMore > 0) paragraph(doc, `and ${c.chronologyMore} more moments, all marked on the chart.`, width, MUTED);

  heading(doc, 'How the text was written');
  for (const m of c.metrics) paragraph(doc, m, width);

  heading(doc, `Flags (${c.flags.length})`);
  drawFlags(doc, c, width);
  if (c.notes.length > 0) {
    heading(doc, 'Notes');
    for (const n of c.notes) paragraph(doc, n, width);
  }

  heading(doc, 'Certificate');
  drawCertificate(doc, c, width, QRCode.create(c.verifyUrl, { errorCorrectionLevel: 'M' }));
  doc.end();
  return done;
}
