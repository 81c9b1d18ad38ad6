/** Splits sessions, in order, into runs whose alert counts add up to at most `budget` (a session over it alone). */
export function inSteps(sessionIds: readonly string[], counts: Map<string, number>, budget: number): string[][] {
  const steps: string[][] = [];
  let step: string[] = [];
  let weight = 0;
  for (const id of sessionIds) {
    const n = counts.get(id) ?? 0;
    if (step.length > 0 && weight + n > budget) {
      steps.push(step);
      step = [];
      weight = 0;
    }
    step.push(id);
    weight += n;
  }
  if (step.length > 0) steps.push(step);
  return steps;
}
