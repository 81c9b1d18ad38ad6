/** What a Veritas report PDF carries for verification (docs/adr/0026-pdf-reports.md, "Where the certificate is"). */
export interface ReportPdfEvidence {
  certificate: string;
  chainHead: string | null;
}

/** True when the file's first bytes are a PDF header. */
export const isPdf = (text: string): boolean => text.startsWith('%PDF-');

/**
 * Finds the certificate and the chain head in a report PDF's raw bytes, read as latin1 (one character
 * per byte): the document information dictionary points at each through an indirect object holding a
 * literal string, which the report writes uncompressed. No PDF library: these are plain ASCII.
 */
export function evidenceFromReportPdf(text: string): ReportPdfEvidence {
  const literal = (name: string): string | null => {
    const ref = new RegExp(`/${name} (\\d+) 0 R`).exec(text);
    if (!ref) return null;
    const obj = new RegExp(`\\n${ref[1]} 0 obj\\s*\\(([^()\\\\]*)\\)`).exec(text);
    return obj ? obj[1]! : null;
  };
  const certificate = literal('VeritasCertificate');
  if (!certificate) throw new Error('this PDF is not a Veritas report with a certificate (no /VeritasCertificate in it)');
  return { certificate, chainHead: literal('VeritasChainHead') };
}
