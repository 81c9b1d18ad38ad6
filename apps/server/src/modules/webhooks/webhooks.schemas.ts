import { Type } from '@sinclair/typebox';
import { Text } from '@veritas/schema';
import { WEBHOOK_EVENTS } from './webhook-events';

const EventName = Type.Union(
  WEBHOOK_EVENTS.map((e) => Type.Literal(e)),
  { description: 'An event an endpoint receives' },
);
const Url = Text({ minLength: 8, maxLength: 2000, description: 'https:// (or http://) URL the messages are POSTed to' });
const Moment = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const EndpointCreate = Type.Object(
  {
    url: Url,
    description: Type.Optional(Text({ maxLength: 200 })),
    events: Type.Array(EventName, { minItems: 1, maxItems: WEBHOOK_EVENTS.length, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export const EndpointUpdate = Type.Object(
  {
    url: Type.Optional(Url),
    description: Type.Optional(Text({ maxLength: 200 })),
    events: Type.Optional(Type.Array(EventName, { minItems: 1, maxItems: WEBHOOK_EVENTS.length, uniqueItems: true })),
    enabled: Type.Optional(Type.Boolean({ description: 'false disables the endpoint; true enables it again (after it was disabled for failing)' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const EndpointView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(EventName),
  enabled: Type.Boolean(),
  disabledAt: Nullable(Moment),
  disabledReason: Nullable(Type.String({ description: 'Why: an admin, or the failed deliveries that disabled it' })),
  secretPrefix: Type.String({ description: 'The first characters of the current secret, to tell secrets apart' }),
  previousSecretExpiresAt: Nullable(Moment),
  createdAt: Moment,
  updatedAt: Moment,
});
export const EndpointList = Type.Object({ items: Type.Array(EndpointView) });
export const EndpointWithSecret = Type.Composite([
  EndpointView,
  Type.Object({ secret: Type.String({ description: 'The signing secret (`whsec_…`), shown this once' }) }),
]);

export const EndpointParams = Type.Object({ endpointId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w-]+$' }) });
export const DeliveryParams = Type.Object({
  endpointId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w-]+$' }),
  deliveryId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w-]+$' }),
});
export const RotateBody = Type.Object(
  {
    overlapSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 7 * 24 * 3600, description: 'How long the old secret keeps signing beside the new one (default one day)' }),
    ),
  },
  { additionalProperties: false },
);
export const DeliveriesQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const AttemptView = Type.Object({
  attempt: Type.Integer(),
  at: Moment,
  statusCode: Nullable(Type.Integer()),
  latencyMs: Type.Integer(),
  responseExcerpt: Nullable(Type.String({ description: 'At most 1,024 characters of the answer' })),
  error: Nullable(Type.String()),
});
export const DeliveryView = Type.Object({
  id: Type.String({ description: 'The message id (webhook-id)' }),
  eventType: EventName,
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  lastStatus: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: Moment,
  deliveredAt: Nullable(Moment),
  payload: Type.Unknown({ description: 'The body sent' }),
  log: Type.Array(AttemptView),
});
export const DeliveryPage = Type.Object({ items: Type.Array(DeliveryView), next: Nullable(Type.String()) });
