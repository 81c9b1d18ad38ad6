import { Type } from '@sinclair/typebox';

export const SubjectParams = Type.Object({ userId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w.:-]+$' }) });
export const ExportParams = Type.Object({ exportId: Type.String({ format: 'uuid' }) });
export const DownloadQuery = Type.Object(
  {
    token: Type.Optional(
      Type.String({
        minLength: 43,
        maxLength: 43,
        pattern: '^[A-Za-z0-9_-]+$',
        description: 'the token the request answered, once (without it: 403 export-token-invalid)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const SubjectExportView = Type.Object({
  id: Type.String(),
  subjectId: Type.String(),
  requestedAs: Type.Union([Type.Literal('admin'), Type.Literal('self')]),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed'), Type.Literal('expired')]),
  progress: Type.Integer({ minimum: 0, maximum: 100, description: 'percent built' }),
  step: Type.Union([Type.String(), Type.Null()], { description: 'what the job is writing now' }),
  size: Type.Union([Type.Integer(), Type.Null()], { description: 'bytes of the archive once built' }),
  sha256: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  expiresAt: Type.String({ format: 'date-time', description: 'the download link works until then; the archive is deleted after it' }),
  links: Type.Object({ status: Type.String(), download: Type.String({ description: 'add ?token=<the token> (answered once, on request)' }) }),
});

export const SubjectExportCreated = Type.Intersect([
  SubjectExportView,
  Type.Object({
    token: Type.String({ description: 'the download token: shown this once, stored only as its SHA-256' }),
    downloadUrl: Type.String({ description: 'the download link with its token; it needs the requester’s (or an admin’s) sign-in too' }),
  }),
]);
