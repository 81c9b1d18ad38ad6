/** The session list (GET /v1/sessions): what the caller may list, with each session's analysis summary. */
export { sessionListRoutes } from './session-list.routes';
export { createSessionListService, type SessionListService } from './session-list.service';
