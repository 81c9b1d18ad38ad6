import { AppError } from '../../kernel/errors';

/**
 * The audit trail records what happened to the data, so it is kept at least as long as the data: a
 * policy with audit days must also give raw data and analyses days (data kept for ever would outlive
 * its audit), and no more of them than the audit's.
 */
export function checkAuditDays(input: { rawDays: number | null; analysisDays: number | null; auditDays?: number | null }): void {
  const audit = input.auditDays ?? null;
  if (audit === null) return;
  for (const [name, days] of [
    ['rawDays', input.rawDays],
    ['analysisDays', input.analysisDays],
  ] as const) {
    if (days === null)
      throw new AppError('retention-policy-invalid', `/auditDays ${audit} needs /${name} too: data kept for ever would outlive its audit trail`);
    if (days > audit)
      throw new AppError('retention-policy-invalid', `/auditDays ${audit} is shorter than /${name} ${days}: keep the audit trail at least as long`);
  }
}
