/** Exports for other tools: a writing session as an IDFX log (ADR 0026). */
export { exportsRoutes } from './exports.routes';
export { createExportsService, IDFX_EXPORT_MAX_EVENTS, type ExportsService } from './exports.service';
