/** Share links: read-only, expiring, revocable links to a session (token shown once, stored as SHA-256). */
export { shareLinksRoutes } from './share-links.routes';
export { createShareLinksService, DEFAULT_SHARE_DAYS, type ShareLinksService } from './share-links.service';
export { findShareLink } from './share-links.repository';
export { installShareScope, SHARE_PARTS } from './share-scope';
