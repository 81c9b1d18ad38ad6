import { policyOf, type AgreementRow, type ConsentTextRow } from './consent.repository';

export const presentText = (row: ConsentTextRow) => ({
  id: row.id,
  version: row.version,
  title: row.title,
  body: row.body,
  policy: policyOf(row),
  createdAt: new Date(row.created_at).toISOString(),
});

export const presentAgreement = (row: AgreementRow) => ({
  id: row.id,
  textId: row.text_id,
  version: row.version,
  agreedAt: new Date(row.agreed_at).toISOString(),
});
