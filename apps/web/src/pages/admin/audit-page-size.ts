/** Audit entries per page: a screen's worth; "Older" asks for the next page by the server's cursor. (Its own file so tests read it without the page's browser-only imports.) */
export const AUDIT_PAGE_SIZE = 20;
