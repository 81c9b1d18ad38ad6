import { Type } from '@sinclair/typebox';
import { Text } from '@veritas/schema';

export const ConsentTextBody = Type.Object(
  {
    title: Text({ minLength: 1, maxLength: 200 }),
    body: Text({ minLength: 1, maxLength: 20_000, description: 'what the person agrees to, as plain text (paragraphs separated by blank lines)' }),
  },
  { additionalProperties: false },
);

export const ConsentTextView = Type.Object({
  id: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  title: Type.String(),
  body: Type.String(),
  policy: Type.String({ description: "what a session's first event (type consent) names in its `policy` where consent is required" }),
  createdAt: Type.String({ format: 'date-time' }),
});

const Current = Type.Union([ConsentTextView, Type.Null()], { description: 'the latest version, the one people agree to now; null when none is published' });

export const ConsentRequirementBody = Type.Object({ required: Type.Boolean() }, { additionalProperties: false });

export const ConsentSettingsView = Type.Object({
  required: Type.Boolean({ description: 'ingest refuses a session whose owner has not agreed to the current text (consent-required)' }),
  current: Current,
  texts: Type.Array(ConsentTextView, { description: 'every version, newest first (200 at most)' }),
});

export const AgreementView = Type.Object({
  id: Type.String(),
  textId: Type.String(),
  version: Type.Integer(),
  agreedAt: Type.String({ format: 'date-time' }),
});

export const MyConsentView = Type.Object({
  required: Type.Boolean(),
  current: Current,
  agreement: Type.Union([AgreementView, Type.Null()], { description: "the person's agreement to the current version, if any" }),
});

export const WithdrawalView = Type.Composite([
  MyConsentView,
  Type.Object({
    withdrawn: Type.Array(Type.Integer(), { description: 'the versions whose agreement this request withdrew (empty when none stood)' }),
  }),
]);

export const AgreeBody = Type.Object(
  { version: Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'the version read; it must be the current one' }) },
  { additionalProperties: false },
);
