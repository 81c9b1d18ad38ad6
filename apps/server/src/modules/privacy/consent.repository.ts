import { sql, type Kysely, type Selectable } from 'kysely';
import type { ConsentAgreementsTable, ConsentTextsTable, DB } from '../../platform/db/tables';

export type ConsentTextRow = Selectable<ConsentTextsTable>;
export type AgreementRow = Selectable<ConsentAgreementsTable>;

/** The tenant's latest consent text: the one people agree to now. */
export const currentText = (db: Kysely<DB>, tenantId: string) =>
  db.selectFrom('consent_texts').selectAll().where('tenant_id', '=', tenantId).orderBy('version', 'desc').limit(1).executeTakeFirst();

export const textsOf = (db: Kysely<DB>, tenantId: string) =>
  db.selectFrom('consent_texts').selectAll().where('tenant_id', '=', tenantId).orderBy('version', 'desc').limit(200).execute();

/** Adds the next version (one more than the latest); a racing publish fails on the unique (tenant, version) index. */
export async function insertNextText(db: Kysely<DB>, row: { id: string; tenant_id: string; title: string; body: string; created_by: string }) {
  return db
    .insertInto('consent_texts')
    .values((eb) => ({
      ...row,
      version: eb
        .selectFrom('consent_texts')
        .select(sql<number>`coalesce(max(version), 0) + 1`.as('v'))
        .where('tenant_id', '=', row.tenant_id),
    }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export const requirementOf = async (db: Kysely<DB>, tenantId: string) =>
  db.selectFrom('consent_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();

export const setRequirement = (db: Kysely<DB>, tenantId: string, required: boolean, by: string) =>
  db
    .insertInto('consent_settings')
    .values({ tenant_id: tenantId, required, updated_by: by, updated_at: new Date() })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ required, updated_by: by, updated_at: new Date() }))
    .returningAll()
    .executeTakeFirstOrThrow();

/** The person's standing agreement to this version (one they withdrew does not count). */
export const agreementTo = (db: Kysely<DB>, tenantId: string, userId: string, version: number) =>
  db
    .selectFrom('consent_agreements')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('version', '=', version)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirst();

/** Records the agreement once: agreeing again to the same version keeps the first time. */
export async function insertAgreement(db: Kysely<DB>, row: { id: string; tenant_id: string; user_id: string; text_id: string; version: number }) {
  await db
    .insertInto('consent_agreements')
    .values(row)
    // The unique index holds standing agreements only (schema step 0026): one withdrawn stays beside the new one.
    .onConflict((oc) => oc.columns(['tenant_id', 'user_id', 'version']).where('withdrawn_at', 'is', null).doNothing())
    .execute();
  return (await agreementTo(db, row.tenant_id, row.user_id, row.version))!;
}

/** A person's agreements with the texts they agreed to, newest first (the subject-access export's consents). */
export const agreementsOf = (db: Kysely<DB>, tenantId: string, userId: string) =>
  db
    .selectFrom('consent_agreements as a')
    .innerJoin('consent_texts as t', 't.id', 'a.text_id')
    .select(['a.id', 'a.version', 'a.agreed_at', 'a.withdrawn_at', 't.title', 't.body', 't.id as text_id'])
    .where('a.tenant_id', '=', tenantId)
    .where('a.user_id', '=', userId)
    .orderBy('a.agreed_at', 'desc')
    .execute();

/** What a session's first event must say it agreed to: the text's id and version, in the consent event's `policy`. */
export const policyOf = (text: { id: string; version: number }) => `veritas-consent/${text.id}/v${text.version}`;

/** What ingest asks of a session's first events where its tenant requires consent (ADR 0029). */
export interface ConsentDemand {
  /** The policy the first event, a consent event, must name: the tenant's current text (null when none is published). */
  policy: string | null;
  /** Whether the session's person agreed to that text (true for a session no person owns: a partner's key). */
  agreed: boolean;
}

/**
 * Of these sessions (none of them has a stored event yet), those whose tenant requires consent, with
 * what their first events must carry. One query for a commit group's new sessions.
 */
export async function consentDemands(db: Kysely<DB>, sessionIds: string[]): Promise<Map<string, ConsentDemand>> {
  if (sessionIds.length === 0) return new Map();
  const rows = await sql<{ id: string; text_id: string | null; version: number | null; agreed: boolean }>`
    select s.id, t.id as text_id, t.version,
           (s.owner_kind is distinct from 'user' or exists (
              select 1 from consent_agreements a
               where a.tenant_id = s.tenant_id and a.user_id = s.owner_id and a.version = t.version and a.withdrawn_at is null)) as agreed
      from sessions s
      join consent_settings c on c.tenant_id = s.tenant_id and c.required
      left join lateral (
        select id, version from consent_texts ct where ct.tenant_id = s.tenant_id order by version desc limit 1) t on true
     where s.id in (${sql.join(sessionIds)})`.execute(db);
  return new Map(
    rows.rows.map((r) => [r.id, { policy: r.text_id === null ? null : policyOf({ id: r.text_id, version: Number(r.version) }), agreed: Boolean(r.agreed) }]),
  );
}

/** Withdraws every agreement of the person that stands; the rows stay, with the time (the history of what they agreed to). */
export const withdrawAgreements = (db: Kysely<DB>, tenantId: string, userId: string) =>
  db
    .updateTable('consent_agreements')
    .set({ withdrawn_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('withdrawn_at', 'is', null)
    .returningAll()
    .execute();

/**
 * What a new session of this tenant and owner must carry where the tenant requires consent (undefined
 * where it does not): the same demand `consentDemands` makes of a recorded session, for a session not
 * stored yet (an uploaded bundle). Read in the caller's transaction.
 */
export async function consentDemandFor(
  db: Kysely<DB>,
  tenantId: string | null,
  owner: { kind: string; id: string } | undefined,
): Promise<ConsentDemand | undefined> {
  if (tenantId === null) return undefined;
  const required = await db.selectFrom('consent_settings').select('required').where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!required?.required) return undefined;
  const text = await currentText(db, tenantId);
  if (!text) return { policy: null, agreed: false };
  // As consentDemands: a session no person owns (a partner's key) needs the consent event only.
  const agreed = owner?.kind !== 'user' || (await agreementTo(db, tenantId, owner.id, text.version)) !== undefined;
  return { policy: policyOf(text), agreed };
}
