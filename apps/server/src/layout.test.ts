import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { layoutViolations, serverSources } from './layout';

const SRC = fileURLToPath(new URL('.', import.meta.url));

describe('the folder rules of apps/server/src', () => {
  it('hold for every source file', () => {
    const files = serverSources(SRC);
    expect(files.length).toBeGreaterThan(50);
    expect(layoutViolations(files)).toEqual([]);
  });

  it('fail on a deliberate upward import, a side door into a module, a route reading rows and SQL in a service', () => {
    const violations = layoutViolations([
      { path: 'kernel/actor.ts', text: "import { buildApp } from '../http/app';" },
      { path: 'platform/db/x.ts', text: "import { sessionsRoutes } from '../../modules/sessions';" },
      { path: 'modules/bundles/bundles.service.ts', text: "import { findSession } from '../sessions/sessions.repository';" },
      { path: 'modules/bundles/bundles.routes.ts', text: "import type { SessionRow } from '../../platform/db/tables';" },
      { path: 'modules/bundles/bundles.service.ts', text: "await db.selectFrom('sessions').selectAll().execute();" },
      { path: 'http/app.ts', text: "import { startRole } from '../roles/start-role';" },
      { path: 'modules/bundles/bundles.service.ts', text: "import { findSession } from '../sessions';" },
    ]);
    expect(violations).toEqual([
      'kernel/actor.ts: imports http/app',
      'platform/db/x.ts: imports modules/sessions',
      'modules/bundles/bundles.service.ts: imports modules/sessions/sessions.repository',
      'modules/bundles/bundles.routes.ts: a route imports rows (platform/db/tables)',
      'modules/bundles/bundles.service.ts: builds SQL outside a repository',
      'http/app.ts: imports roles/start-role',
    ]);
  });
});
