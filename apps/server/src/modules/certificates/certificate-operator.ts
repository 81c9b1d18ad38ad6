import { ANONYMOUS } from '../../kernel/actor';
import type { Database } from '../../platform/db/database';
import { createAuditService } from '../audit';
import { createCertificateKeys } from './certificate-keys';

/**
 * `veritas certificates rotate-keys`: a new certificate key; the others are retired and stay published,
 * so every certificate they signed still verifies. Refused when VERITAS_CERTIFICATE_KEY_FILE gives the
 * key (rotate by replacing the file). Audited. Returns the new kid.
 */
export async function rotateCertificateKeys(database: Database, options: { keyFile?: string } = {}): Promise<string> {
  const kid = await createCertificateKeys(database, options).rotate();
  await createAuditService(database).record({
    tenantId: null,
    actor: ANONYMOUS,
    action: 'certificates.keys-rotate',
    resource: { type: 'certificate-key', id: kid },
    context: { ip: null, requestId: 'cli' },
    detail: { via: 'cli' },
  });
  return kid;
}
