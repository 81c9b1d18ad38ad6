/** Live streams of a session's committed events (SSE, resumable by seq), their tickets, and the hub fan-out. */
export { liveRoutes } from './live.routes';
export { createLiveStreamsService, type LiveStreamsService } from './live.service';
export { subscribeLive, sessionChannel } from './live.subscriptions';
export { LIVE_TICKET_TTL_S } from './live-tickets.service';
export { examLiveRoutes } from './exam-live.routes';
export { createExamLiveService, type ExamLiveService } from './exam-live.service';
export { subscribeExamLive } from './exam-live.subscriptions';
