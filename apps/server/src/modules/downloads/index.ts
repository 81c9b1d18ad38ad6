/** Stored files (bundles, exports, reports in the blob store) and expiring links to them (ADR 0030). */
export { downloadsRoutes } from './downloads.routes';
export {
  createDownloadsService,
  DOWNLOAD_AUDIENCE,
  DOWNLOAD_FORMATS,
  forgetSessionFiles,
  type DownloadFormat,
  type DownloadLink,
  type DownloadsService,
  type StoredFile,
} from './downloads.service';
export { sessionPrefix, tenantPrefix, type FilePart } from './download-keys';
