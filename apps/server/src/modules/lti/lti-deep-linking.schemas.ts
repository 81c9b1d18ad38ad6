import { Type } from '@sinclair/typebox';

/** A deep-linking request's token (43 base64url characters, as `randomToken` makes): the picker page's capability. */
export const DeepLinkParams = Type.Object({
  deepLinkToken: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'The token in the picker page’s URL, from the deep-linking launch' }),
});

export const DeepLinkView = Type.Object({
  registrationName: Type.String({ description: 'The LMS the request came from, as the institution named it' }),
  suggestedTitle: Type.Union([Type.String(), Type.Null()], { description: 'The title the LMS suggests for what is placed' }),
  expiresAt: Type.String({ format: 'date-time', description: 'The request must be answered before then' }),
});

/** The picker's form (posted by the browser itself, so its answer page can post on to the LMS), or the same as JSON. */
export const DeepLinkAnswerBody = Type.Object(
  {
    action: Type.Union([Type.Literal('place'), Type.Literal('cancel')], { description: 'place: add `examId` to the course; cancel: add nothing' }),
    examId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'An exam the teacher manages' })),
  },
  { additionalProperties: false },
);

export const DeepLinkAnswerPage = Type.String({
  description: 'text/html: a form that posts the signed LtiDeepLinkingResponse (field `JWT`) to the LMS’s return URL, sent at once by a script, with a button',
});
