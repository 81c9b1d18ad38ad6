/** The replay data of a session, streamed for the viewer. */
export { replayRoutes } from './replay.routes';
export { createReplayService, type ReplayService } from './replay.service';
