import { Type } from '@sinclair/typebox';
import { Text, Timestamp } from '@veritas/schema';

export const AuditQuerystring = Type.Object(
  {
    actorId: Type.Optional(Text({ minLength: 1, maxLength: 200, description: 'The person or API key that acted' })),
    action: Type.Optional(Text({ minLength: 1, maxLength: 100, description: 'e.g. user.update, class.create, api-key.revoke' })),
    resourceType: Type.Optional(Text({ minLength: 1, maxLength: 100 })),
    resourceId: Type.Optional(Text({ minLength: 1, maxLength: 200 })),
    from: Type.Optional(Timestamp({ description: 'Entries at or after this moment' })),
    to: Type.Optional(Timestamp({ description: 'Entries before this moment' })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'The `next` of the previous page' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

export const AuditEntryView = Type.Object({
  id: Type.String(),
  seq: Type.Integer({ description: "The entry's place in the tenant's hash chain" }),
  at: Type.String({ format: 'date-time' }),
  actor: Type.Object({
    kind: Type.String(),
    id: Type.Union([Type.String(), Type.Null()]),
    authMethod: Type.String(),
  }),
  action: Type.String(),
  resource: Type.Object({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  ip: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
  hash: Type.String(),
});

export const AuditPage = Type.Object({
  items: Type.Array(AuditEntryView),
  next: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null at the end' }),
});
