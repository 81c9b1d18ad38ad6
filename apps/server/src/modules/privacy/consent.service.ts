import { randomUUID } from 'node:crypto';
import type { UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import type { Database } from '../../platform/db/database';
import type { AuditService, RequestContext } from '../audit';
import {
  agreementTo,
  currentText,
  insertAgreement,
  insertNextText,
  requirementOf,
  setRequirement,
  textsOf,
  withdrawAgreements,
  type AgreementRow,
  type ConsentTextRow,
} from './consent.repository';

interface By {
  actor: UserActor;
  context: RequestContext;
}

export interface ConsentState {
  required: boolean;
  current: ConsentTextRow | undefined;
}

export interface ConsentService {
  /** The tenant's requirement and its texts, newest first (admins). */
  settings(actor: UserActor): Promise<ConsentState & { texts: ConsentTextRow[] }>;
  /** Publishes the next version of the tenant's consent text; from now on people agree to it. Audited. */
  publishText(by: By, input: { title: string; body: string }): Promise<ConsentTextRow>;
  /** Requires consent (or stops requiring it); requiring needs a published text. Audited. */
  require(by: By, required: boolean): Promise<ConsentState>;
  /** What a person is asked to agree to, and whether they have. */
  mine(actor: UserActor): Promise<ConsentState & { agreement: AgreementRow | undefined }>;
  /** Records that the person agreed to this version, which must be the current one. Audited. */
  agree(by: By, version: number): Promise<AgreementRow>;
  /**
   * Withdraws the person's agreements (every version that stands): from now on, where consent is
   * required, their new sessions and uploads are refused until they agree again. What is stored stays
   * (ADR 0029, amendment). Audited when something was withdrawn; withdrawing nothing changes nothing.
   */
  withdraw(by: By): Promise<{ withdrawn: number[] }>;
}

export function createConsentService(database: Database, audit: AuditService): ConsentService {
  const { db } = database;
  const state = async (tenantId: string): Promise<ConsentState> => ({
    required: (await requirementOf(db, tenantId))?.required ?? false,
    current: await currentText(db, tenantId),
  });
  return {
    async settings(actor) {
      return { ...(await state(actor.tenantId)), texts: await textsOf(db, actor.tenantId) };
    },

    async publishText(by, input) {
      const row = await insertNextText(db, {
        id: randomUUID(),
        tenant_id: by.actor.tenantId,
        title: input.title,
        body: input.body,
        created_by: by.actor.userId,
      });
      await audit.record({
        tenantId: by.actor.tenantId,
        actor: by.actor,
        action: 'consent.text.publish',
        resource: { type: 'consent-text', id: row.id },
        context: by.context,
        detail: { version: row.version, title: row.title },
      });
      return row;
    },

    async require(by, required) {
      const tenantId = by.actor.tenantId;
      if (required && !(await currentText(db, tenantId))) throw new AppError('conflict', 'publish a consent text before requiring consent');
      await setRequirement(db, tenantId, required, by.actor.userId);
      await audit.record({
        tenantId,
        actor: by.actor,
        action: 'consent.require',
        resource: { type: 'tenant', id: tenantId },
        context: by.context,
        detail: { required },
      });
      return state(tenantId);
    },

    async mine(actor) {
      const s = await state(actor.tenantId);
      return { ...s, agreement: s.current ? await agreementTo(db, actor.tenantId, actor.userId, s.current.version) : undefined };
    },

    async agree(by, version) {
      const tenantId = by.actor.tenantId;
      const current = await currentText(db, tenantId);
      if (!current) throw new AppError('not-found', 'this institution has no consent text');
      if (current.version !== version) throw new AppError('consent-not-current', `the current version is ${current.version}, not ${version}`);
      const known = await agreementTo(db, tenantId, by.actor.userId, version);
      if (known) return known;
      const row = await insertAgreement(db, { id: randomUUID(), tenant_id: tenantId, user_id: by.actor.userId, text_id: current.id, version });
      await audit.record({
        tenantId,
        actor: by.actor,
        action: 'consent.agree',
        resource: { type: 'consent-text', id: current.id },
        context: by.context,
        detail: { version },
      });
      return row;
    },

    async withdraw(by) {
      const tenantId = by.actor.tenantId;
      return db.transaction().execute(async (trx) => {
        const rows = await withdrawAgreements(trx, tenantId, by.actor.userId);
        const withdrawn = rows.map((r) => r.version).sort((a, b) => a - b);
        if (withdrawn.length > 0) {
          await audit.record(
            {
              tenantId,
              actor: by.actor,
              action: 'consent.withdraw',
              resource: { type: 'user', id: by.actor.userId },
              context: by.context,
              detail: { versions: withdrawn },
            },
            trx,
          );
        }
        return { withdrawn };
      });
    },
  };
}
