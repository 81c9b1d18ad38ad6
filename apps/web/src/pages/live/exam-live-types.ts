/**
 * What the exam's live channels send, as the server defines them (apps/server/src/modules/live/
 * exam-live.schemas.ts): the SSE `students` message and the alerts socket's messages. They travel as
 * a stream and a socket, which the OpenAPI document (and so the generated client) does not describe.
 */
export type Presence = 'online' | 'idle' | 'offline';

export interface LiveStudent {
  attemptId: string;
  sessionId: string | null;
  studentId: string;
  studentName: string;
  attemptState: string;
  presence: Presence;
  charsPerMinute: number;
  pastes: number;
  awayMs: number;
  /** What the host page reported last, under its own labels; never scored. */
  host: { confusion?: number; engagement?: number; source?: string; labels?: Record<string, number | boolean> } | null;
  openAlerts: number;
}

export interface StudentsMessage {
  at: string;
  students: LiveStudent[];
}

export interface Acknowledgement {
  by: { id: string; name: string };
  at: string;
}

export interface LiveAlert {
  id: string;
  examId: string;
  attemptId: string;
  sessionId: string;
  studentName: string;
  kind: string;
  severity: string;
  message: string;
  at: string;
  acknowledged: Acknowledgement | null;
}

export type AlertsServerMessage =
  | { type: 'alert'; alert: LiveAlert }
  | ({ type: 'acknowledged'; alertId: string } & Acknowledgement)
  /** A message refused (an observer's acknowledgement, an unknown alert). */
  | { type: 'problem'; problem: { title: string; detail?: string; status: number } };
