import type { TimelineMarker } from '../replay/timeline-markers';
import type { Monitoring } from './attempt-monitoring';
import { detectorName, SEVERITY_LABEL, STATE_LABEL, type ReviewState } from './review-words';

/** A marker per occurrence of each flag of the timeline of anomalies, named by what it is. */
export function markersOf(timeline: Monitoring['timeline']): TimelineMarker[] {
  return timeline.flatMap((f) =>
    f.times.map((o, i) => ({
      key: `${f.flagId}:${o.seqFrom}`,
      t: o.tFrom,
      severity: o.severity,
      label: `${SEVERITY_LABEL[o.severity]} ${detectorName(f.kind)} flag (${STATE_LABEL[f.state as ReviewState] ?? f.state}), occurrence ${i + 1} of ${f.times.length}`,
    })),
  );
}
