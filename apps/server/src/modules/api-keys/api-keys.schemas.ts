import { Type } from '@sinclair/typebox';
import { Text } from '@veritas/schema';
import { API_SCOPES } from '../../kernel/actor';

export const ApiScopeSchema = Type.Union(
  API_SCOPES.map((s) => Type.Literal(s)),
  { description: 'sessions:write creates and writes sessions; sessions:read reads and lists them; reports:read reads reports' },
);

export const ApiKeyCreate = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 200, description: 'What the key is for, e.g. the partner platform' }),
    scopes: Type.Array(ApiScopeSchema, { minItems: 1, maxItems: API_SCOPES.length, uniqueItems: true }),
  },
  { additionalProperties: false },
);

const Moment = Type.String({ format: 'date-time' });

export const ApiKeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'The first 8 characters after `vk_`, to tell keys apart' }),
  scopes: Type.Array(ApiScopeSchema),
  createdAt: Moment,
  createdBy: Type.Union([Type.String(), Type.Null()], { description: 'The person who created it' }),
  lastUsedAt: Type.Union([Moment, Type.Null()], { description: 'To the minute' }),
  revokedAt: Type.Union([Moment, Type.Null()]),
});

export const CreatedApiKey = Type.Composite([
  ApiKeyView,
  Type.Object({ key: Type.String({ description: 'The key: send it as `Authorization: Bearer <key>`. Shown this once; only its hash is stored.' }) }),
]);

export const ApiKeyList = Type.Object({ items: Type.Array(ApiKeyView) });
export const ApiKeyParams = Type.Object({ keyId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w.:-]+$' }) });
