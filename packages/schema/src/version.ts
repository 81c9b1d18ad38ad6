/** Version strings of every format Veritas reads or writes. Type names are strings, never enums. */
export const SESSION_FORMAT = 'veritas.session/v1' as const;
export const BUNDLE_FORMAT = 'veritas.bundle/v1' as const;
export const INGEST_PROTOCOL = 'veritas.ingest/v1' as const;
