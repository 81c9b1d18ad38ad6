import type { Static } from '@sinclair/typebox';
import type { AlertRow } from './alerts.repository';
import type { Alert } from './analysis.schemas';

/** A stored alert as the API shows it. */
export function presentAlert(a: AlertRow): Static<typeof Alert> {
  return {
    id: a.id,
    detector: a.detector as Static<typeof Alert>['detector'],
    severity: a.severity as Static<typeof Alert>['severity'],
    message: a.message,
    evidence: a.evidence as Static<typeof Alert>['evidence'],
    values: a.values as Record<string, number>,
    createdAt: a.created_at.toISOString(),
  };
}
