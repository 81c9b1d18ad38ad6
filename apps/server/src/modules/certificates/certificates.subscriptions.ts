import type { EventBus } from '../../kernel/events';
import type { CertificatesService } from './certificates.service';

/** A certificate is issued when a session's analysis is done (the analysis module tells analysis.done). */
export function subscribeCertificates(events: EventBus, certificates: CertificatesService): void {
  events.on('analysis.done', async ({ scope, sessionId, version }) => {
    await certificates.issue(scope, sessionId, version);
  });
}
