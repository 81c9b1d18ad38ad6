import { Type, type Static } from '@sinclair/typebox';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
/** Live tickets are 43 base64url characters (auth's randomToken). */
export const TicketParam = Type.String({
  pattern: '^[A-Za-z0-9_-]{43}$',
  description: 'A live ticket of this exam for this channel (POST /v1/exams/{examId}/live-tickets)',
});

export const ExamLiveParams = Type.Object({ examId: Id });
export const TicketQuery = Type.Object({ ticket: Type.Optional(TicketParam) });

export const LIVE_PURPOSES = ['exam-live', 'alerts'] as const;
export type LivePurpose = (typeof LIVE_PURPOSES)[number];

export const ExamTicketBody = Type.Object(
  {
    purpose: Type.Union(
      LIVE_PURPOSES.map((p) => Type.Literal(p)),
      { description: '`exam-live`: GET /v1/exams/{examId}/live; `alerts`: the alerts socket. A ticket opens that channel only.' },
    ),
  },
  { additionalProperties: false },
);

export const ExamLiveTicket = Type.Object({
  ticket: Type.String({ description: 'Send as `?ticket=` to the channel it was issued for, within its lifetime. Shown once.' }),
  expiresAt: Type.String({ format: 'date-time' }),
  url: Type.String({ description: 'The channel’s path with the ticket' }),
});

const Person = Type.Object({ id: Type.String(), name: Type.String() });

export const Acknowledgement = Type.Object({ by: Person, at: Type.String({ format: 'date-time' }) });

/** A critical alert as the alerts socket sends it. */
export const LiveAlert = Type.Object({
  id: Type.String(),
  examId: Type.String(),
  attemptId: Type.String(),
  sessionId: Type.String(),
  studentName: Type.String(),
  kind: Type.String({ description: 'The detector that raised it (e.g. several-faces, no-face, prolonged-absence, or a high-severity live detector)' }),
  severity: Type.String(),
  message: Type.String(),
  at: Type.String({ format: 'date-time' }),
  acknowledged: Type.Union([Acknowledgement, Type.Null()]),
});
export type LiveAlert = Static<typeof LiveAlert>;

/** One student in the exam's live view. */
export const LiveStudent = Type.Object({
  attemptId: Type.String(),
  sessionId: Type.Union([Type.String(), Type.Null()]),
  studentId: Type.String(),
  studentName: Type.String(),
  attemptState: Type.String(),
  presence: Type.Union([Type.Literal('online'), Type.Literal('idle'), Type.Literal('offline')]),
  charsPerMinute: Type.Integer({ minimum: 0, description: 'Characters typed (not pasted) in the last minute of the student’s time' }),
  pastes: Type.Integer({ minimum: 0 }),
  awayMs: Type.Integer({ minimum: 0, description: 'Time with the page hidden or out of focus' }),
  host: Type.Union(
    [
      Type.Object({
        confusion: Type.Optional(Type.Number()),
        engagement: Type.Optional(Type.Number()),
        source: Type.Optional(Type.String()),
        labels: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Boolean()]), { description: 'The host page’s latest values under its own labels' }),
      }),
      Type.Null(),
    ],
    { description: 'What the host page reported last, as it labels it, never scored; null when it sent nothing or the exam or tenant refuses host signals' },
  ),
  openAlerts: Type.Integer({ minimum: 0, description: 'Critical alerts not yet acknowledged' }),
});
export type LiveStudent = Static<typeof LiveStudent>;

export const StudentsMessage = Type.Object({ at: Type.String({ format: 'date-time' }), students: Type.Array(LiveStudent) });
export type StudentsMessage = Static<typeof StudentsMessage>;

/** What a teacher's client sends on the alerts socket. */
export const AlertsClientMessage = Type.Object({ type: Type.Literal('ack'), alertId: Id }, { additionalProperties: false });
export type AlertsClientMessage = Static<typeof AlertsClientMessage>;

/** What the alerts socket sends. */
export const AlertsServerMessage = Type.Union([
  Type.Object({ type: Type.Literal('alert'), alert: LiveAlert }),
  Type.Object({ type: Type.Literal('acknowledged'), alertId: Type.String(), by: Person, at: Type.String({ format: 'date-time' }) }),
  Type.Object({
    type: Type.Literal('problem'),
    problem: Type.Object(
      { type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()) },
      { additionalProperties: true },
    ),
  }),
]);
