/** Reports: a session's PDF report (ADR 0026). */
export { reportsRoutes } from './reports.routes';
export { createReportsService, type ReportsService, type PdfReport, type PreparedReport } from './reports.service';
export { CERTIFICATE_ATTACHMENT, CHAIN_ATTACHMENT, renderReportPdf } from './report-pdf';
