import { simulate, toBundle, type SimKind } from '@veritas/simulator';
import { DEMO_PASSWORD, DEMO_TENANT, seedDemoPeople, tenantScope, type App } from '@veritas/server';

/** A small set of sessions to look at on a fresh start: one of each kind the product handles. */
const DEMO: { kind: SimKind; seed: number; title: string }[] = [
  { kind: 'genuine', seed: 1, title: 'Essay: genuine composition' },
  { kind: 'copy', seed: 2, title: 'Essay: copy-typed from a source' },
  { kind: 'paste', seed: 3, title: 'Essay: pasted from outside' },
  { kind: 'autotyper', seed: 4, title: 'Essay: auto-typer' },
  { kind: 'dictation', seed: 5, title: 'Essay: dictated (input method)' },
  { kind: 'proctoring-violations', seed: 6, title: 'Proctored exam with alerts' },
  { kind: 'sensor', seed: 7, title: 'Accelerometer stream' },
];

/**
 * Seeds the demo sessions unless they are there already. They go in through the same verified
 * bundle import as any upload, marked as demo so the home page can list them (and nothing else).
 */
export async function seedDemo(services: App['services']): Promise<number> {
  const scope = { tenantId: null };
  if ((await services.sessions.listBySource(scope, 'demo', 1)).length > 0) return 0;
  let n = 0;
  for (const d of DEMO) {
    const bundle = await toBundle(simulate(d.kind, d.seed), { createdAt: new Date(Date.now() - (DEMO.length - n) * 3_600_000).toISOString() });
    bundle.session.meta = { ...bundle.session.meta, title: d.title };
    const { created } = await services.bundles.import(scope, bundle, { source: 'demo' });
    if (created) n++;
  }
  return n;
}

/** The demo student's own sessions, so the teacher, the observer and the student have something to open. */
const STUDENT_SESSIONS: { kind: SimKind; seed: number; title: string }[] = [
  { kind: 'genuine', seed: 11, title: 'Sam: essay on rivers' },
  { kind: 'paste', seed: 12, title: 'Sam: history summary (with a paste)' },
];

/**
 * Seeds the demo institution (one person per role, a class, an observer attached to the teacher,
 * two sessions of the student) unless it is there, and returns what to print: who can sign in, with which password.
 */
export async function seedDemoInstitution(services: App['services']): Promise<string[]> {
  const people = await seedDemoPeople(services.database);
  const student = people.find((p) => p.role === 'student')!;
  const scope = tenantScope(student.tenantId);
  if ((await services.sessions.listBySource(scope, 'demo', 1)).length === 0) {
    for (const [i, d] of STUDENT_SESSIONS.entries()) {
      const bundle = await toBundle(simulate(d.kind, d.seed), { createdAt: new Date(Date.now() - (STUDENT_SESSIONS.length - i) * 86_400_000).toISOString() });
      bundle.session.meta = { ...bundle.session.meta, title: d.title };
      await services.bundles.import(scope, bundle, { source: 'demo', owner: { kind: 'user', id: student.id } });
    }
  }
  return [
    `  demo institution "${DEMO_TENANT.name}": sign in with password ${DEMO_PASSWORD} as`,
    ...people.map((p) => `    ${p.role.padEnd(8)} ${p.email}`),
    '  (demo accounts with a published password: never start a server that others reach with --demo)',
  ];
}
