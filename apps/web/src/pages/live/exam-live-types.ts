import type { operations } from '../../api/schema';

/** The exam view's `students` message (GET /v1/exams/{examId}/live), as the generated client types it. */
export type StudentsMessage = operations['getExamsByExamIdLive']['responses'][200]['content']['text/event-stream'];
export type LiveStudent = StudentsMessage['students'][number];
export type Presence = LiveStudent['presence'];

/*
 * What the alerts socket sends travels over a WebSocket, which the OpenAPI document does not describe:
 * these follow AlertsServerMessage in apps/server/src/modules/live/exam-live.schemas.ts.
 */
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
