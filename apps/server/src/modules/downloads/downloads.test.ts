import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildInstitution, recordAs, until, type Institution, type Recorded } from '../../testing/institution';
import { startS3TestServer, type S3TestServer } from '../../platform/blob/s3-test-server';
import type { ConfigOverrides } from '../../config/config';
import { DOWNLOAD_AUDIENCE } from './downloads.service';
import { sessionPrefix } from './download-keys';
import { linkedAudit } from '../../testing/linked-audit';

const DAY = 86_400_000;

/** The same walk on both blob stores: the embedded folder, and a real S3-compatible server (s3rver). */
function storedFiles(store: 'filesystem' | 'S3 (s3rver)', setup: () => Promise<{ overrides: ConfigOverrides; stop(): Promise<void> }>) {
  describe(`stored files and download links on ${store} (${TEST_DB})`, () => {
    let t: TestApp;
    let school: Institution;
    let essay: Recorded;
    let stop: () => Promise<void> = async () => {};

    const db = () => t.app.services.database.db;
    const blobs = () => t.app.services.blobs;
    const keysOf = async (sessionId: string) => (await blobs().list(sessionPrefix(school.tenant.id, sessionId))).items.map((i) => i.key);
    const analysed = (id: string) =>
      until(
        async () => (await db().selectFrom('analyses').select('session_id').where('session_id', '=', id).executeTakeFirst()) !== undefined,
        `analysis of ${id}`,
      );
    const linkFor = (id: string, format: string, headers: Record<string, string> = school.teacher.headers) =>
      t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/download-links`, headers, payload: { format } });
    /** Follows a link as a browser would: to this server (inject) or to the object store (a real HTTP GET). */
    async function follow(url: string): Promise<{ status: number; body: Buffer; type: string | undefined; disposition: string | undefined }> {
      const u = new URL(url);
      if (u.pathname === '/v1/downloads') {
        const r = await t.app.inject({ method: 'GET', url: `${u.pathname}${u.search}` });
        return { status: r.statusCode, body: r.rawPayload, type: r.headers['content-type'] as string, disposition: r.headers['content-disposition'] as string };
      }
      const r = await fetch(url);
      return {
        status: r.status,
        body: Buffer.from(await r.arrayBuffer()),
        type: r.headers.get('content-type') ?? undefined,
        disposition: r.headers.get('content-disposition') ?? undefined,
      };
    }

    beforeAll(async () => {
      const s = await setup();
      stop = s.stop;
      t = await createTestApp({ ...s.overrides, jobs: { driver: 'embedded', pollIntervalMs: 20, concurrency: 1 } });
      school = await buildInstitution(t.app);
      essay = await recordAs(t.app, school.student);
      await analysed(essay.id);
    }, 300_000);
    afterAll(async () => {
      await t?.close();
      await stop();
    });

    it('stores each export once and serves the stored file: CSV, JSON, bundle, IDFX and the PDF report', async () => {
      const direct = {
        csv: await t.app.inject({ url: `/v1/sessions/${essay.id}/data?format=csv`, headers: school.teacher.headers }),
        json: await t.app.inject({ url: `/v1/sessions/${essay.id}/data`, headers: school.teacher.headers }),
        bundle: await t.app.inject({ url: `/v1/sessions/${essay.id}/bundle`, headers: school.teacher.headers }),
        idfx: await t.app.inject({ url: `/v1/sessions/${essay.id}/export.idfx`, headers: school.teacher.headers }),
        report: await t.app.inject({ url: `/v1/sessions/${essay.id}/report.pdf`, headers: school.teacher.headers }),
      };
      for (const [format, r] of Object.entries(direct)) expect(r.statusCode, `${format}: ${r.body.slice(0, 200)}`).toBe(200);
      expect(direct.csv.body.split('\r\n')[0]).toBe('seq,t,type,data');
      expect(direct.report.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      const keys = await keysOf(essay.id);
      expect(
        keys
          .filter((k) => k.includes('/raw/'))
          .map((k) => k.split('/raw/')[1]!.split('-g1-')[0])
          .sort(),
      ).toEqual(['bundle', 'data-csv', 'data-json', 'idfx']);
      expect(keys.filter((k) => k.includes('/analysis/report-'))).toHaveLength(1);
      expect(keys.every((k) => k.startsWith(`tenants/${school.tenant.id}/sessions/${essay.id}/`))).toBe(true);

      // Served from the store, not made again: a stored file changed behind the server's back is what comes out.
      const csvKey = keys.find((k) => k.includes('/raw/data-csv-'))!;
      const stored = await buffer((await blobs().get(csvKey))!.body);
      expect(stored.toString()).toBe(direct.csv.body);
      await blobs().put(csvKey, Buffer.from('seq,t,type,data\r\nfrom the store\r\n'), { contentType: 'text/csv; charset=utf-8' });
      const again = await t.app.inject({ url: `/v1/sessions/${essay.id}/data?format=csv`, headers: school.teacher.headers });
      expect(again.body).toBe('seq,t,type,data\r\nfrom the store\r\n');
      await blobs().put(csvKey, stored, { contentType: 'text/csv; charset=utf-8' });

      // A file deleted meanwhile is made again.
      await blobs().delete(keys.find((k) => k.includes('/raw/idfx-'))!);
      expect((await t.app.inject({ url: `/v1/sessions/${essay.id}/export.idfx`, headers: school.teacher.headers })).body).toBe(direct.idfx.body);
    }, 120_000);

    it('gives an expiring link per format whose file is the same as the direct download, and audits it', async () => {
      for (const format of ['csv', 'json', 'bundle', 'idfx', 'report'] as const) {
        const r = await linkFor(essay.id, format);
        expect(r.statusCode, r.body).toBe(201);
        const link = r.json() as { url: string; expiresAt: string; direct: boolean; size: number; fileName: string };
        expect(link.direct).toBe(store !== 'filesystem');
        const ttl = Date.parse(link.expiresAt) - Date.now();
        expect(ttl).toBeGreaterThan(200_000);
        expect(ttl).toBeLessThanOrEqual(300_000);
        const got = await follow(link.url);
        expect(got.status, `${format}: ${got.body.toString().slice(0, 300)}`).toBe(200);
        expect(got.body.length).toBe(link.size);
        expect(got.disposition).toBe(`attachment; filename="${link.fileName}"`);
        if (format === 'report') expect(got.body.subarray(0, 5).toString()).toBe('%PDF-');
        else {
          const url = { csv: '/data?format=csv', json: '/data', bundle: '/bundle', idfx: '/export.idfx' }[format];
          expect(got.body.toString()).toBe((await t.app.inject({ url: `/v1/sessions/${essay.id}${url}`, headers: school.teacher.headers })).body);
        }
      }
      const audited = await (
        await linkedAudit(t.app.services)
      )
        .selectFrom('audit_log')
        .select(['action', 'detail'])
        .where('resource_id', '=', essay.id)
        .where('action', 'in', ['session.download.link', 'session.download'])
        .execute();
      expect(
        audited
          .filter((a) => a.action === 'session.download.link')
          .map((a) => (a.detail as { format: string }).format)
          .sort(),
      ).toEqual(['bundle', 'csv', 'idfx', 'json', 'report']);
      // Downloads through this server are audited too (S3 serves its own: its access log has them).
      expect(audited.filter((a) => a.action === 'session.download')).toHaveLength(store === 'filesystem' ? 5 : 0);
    }, 120_000);

    it('is refused to those who may not read the session, and while the session is active', async () => {
      expect((await linkFor(essay.id, 'csv', school.stranger.headers)).statusCode).toBe(404);
      expect((await linkFor(essay.id, 'csv', school.otherStudent.headers)).statusCode).toBe(404);
      expect((await linkFor(essay.id, 'csv', {})).statusCode).toBe(404);
      expect((await linkFor(essay.id, 'zip')).statusCode).toBe(400);
      const mine = await linkFor(essay.id, 'csv', school.student.headers);
      expect(mine.statusCode).toBe(201);
      const running = await recordAs(t.app, school.student, { end: false });
      const active = await linkFor(running.id, 'csv', school.student.headers);
      expect(active.statusCode).toBe(409);
      expect(active.json().type).toBe('urn:veritas:problem:session-not-ended');
    }, 60_000);

    it('expires: a link past its time opens nothing', async () => {
      const file = await t.app.services.downloads.rawFile({ tenantId: school.tenant.id as never }, essay.id, 'csv');
      let url: string;
      if (store === 'filesystem') {
        const grant = await t.app.services.accessTokens.signGrant(
          DOWNLOAD_AUDIENCE,
          { key: file.key, tid: school.tenant.id, sid: essay.id, fmt: 'csv', fn: file.fileName, ct: file.contentType, by: 'test', au: true },
          3,
        );
        url = `http://localhost/v1/downloads?grant=${grant}`;
      } else {
        url = await blobs().directLink!(file.key, { expiresInS: 3, fileName: file.fileName, contentType: file.contentType });
      }
      expect((await follow(url)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 4500));
      const late = await follow(url);
      expect(late.status).toBe(store === 'filesystem' ? 410 : 403);
      expect(late.body.toString()).not.toContain('seq,t,type,data');
    }, 30_000);

    if (store === 'filesystem') {
      it('opens only what the grant names, signed by this server, in its own tenant and session', async () => {
        const good = (await linkFor(essay.id, 'csv')).json().url as string;
        const grant = new URL(good).searchParams.get('grant')!;
        const [h, p, s] = grant.split('.');
        const forged = [h, p, s!.slice(0, -4) + (s!.endsWith('AAAA') ? 'BBBB' : 'AAAA')].join('.');
        for (const bad of [forged, 'not-a-grant', 'x'.repeat(5000)]) {
          const r = await t.app.inject({ url: `/v1/downloads?grant=${encodeURIComponent(bad)}` });
          expect([400, 410], bad.slice(0, 20)).toContain(r.statusCode);
          expect(r.body).not.toContain('seq,t,type,data');
        }
        // A grant naming a file of another session than its own (what a leaked key could sign) is refused.
        const other = await recordAs(t.app, school.otherStudent);
        const otherFile = await t.app.services.downloads.rawFile({ tenantId: school.tenant.id as never }, other.id, 'csv');
        const crossed = await t.app.services.accessTokens.signGrant(
          DOWNLOAD_AUDIENCE,
          { key: otherFile.key, tid: school.tenant.id, sid: essay.id, fmt: 'csv', fn: 'x.csv', ct: 'text/csv', by: 'test', au: true },
          60,
        );
        expect((await t.app.inject({ url: `/v1/downloads?grant=${crossed}` })).statusCode).toBe(410);
        // An access token is not a grant, nor a grant an access token.
        const access = school.teacher.headers.authorization!.replace(/^Bearer /, '');
        expect((await t.app.inject({ url: `/v1/downloads?grant=${access}` })).statusCode).toBe(410);
        expect((await t.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${grant}` } })).statusCode).toBe(401);
      }, 60_000);

      it('deletes the stored files with their session', async () => {
        const s = await recordAs(t.app, school.student);
        expect((await linkFor(s.id, 'csv', school.student.headers)).statusCode).toBe(201);
        expect(await keysOf(s.id)).toHaveLength(1);
        const del = await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${s.id}`, headers: school.admin.headers });
        expect(del.statusCode, del.body).toBe(204);
        expect(await keysOf(s.id)).toEqual([]);
      }, 60_000);
    }

    it('retention deletes the stored files of what expired, and only of what is not held', async () => {
      const now = new Date();
      const policy = await t.app.inject({
        method: 'PUT',
        url: '/v1/admin/retention',
        headers: school.admin.headers,
        payload: { rawDays: 30, analysisDays: 60 },
      });
      expect(policy.statusCode, policy.body).toBe(200);
      const rawGone = await recordAs(t.app, school.student); // 40 days: raw files go, the report stays
      const allGone = await recordAs(t.app, school.student); // 70 days: everything goes
      const held = await recordAs(t.app, school.student); // 70 days, under a legal hold: stays
      const recent = await recordAs(t.app, school.student); // 10 days: stays
      const sessions = [rawGone, allGone, held, recent];
      for (const s of sessions) {
        await analysed(s.id);
        for (const format of ['csv', 'bundle', 'report']) expect((await linkFor(s.id, format)).statusCode, `${format} of ${s.id}`).toBe(201);
        expect(await keysOf(s.id)).toHaveLength(3);
      }
      const endedDaysAgo = (id: string, days: number) =>
        db()
          .updateTable('sessions')
          .set({ ended_at: new Date(now.getTime() - days * DAY) })
          .where('id', '=', id)
          .execute();
      await endedDaysAgo(rawGone.id, 40);
      await endedDaysAgo(allGone.id, 70);
      await endedDaysAgo(held.id, 70);
      await endedDaysAgo(recent.id, 10);
      const hold = await t.app.inject({
        method: 'POST',
        url: '/v1/admin/legal-holds',
        headers: school.admin.headers,
        payload: { subjectKind: 'session', subjectId: held.id, reason: 'appeal pending' },
      });
      expect(hold.statusCode, hold.body).toBe(201);
      const before = new Map(await Promise.all(sessions.map(async (s) => [s.id, await keysOf(s.id)] as const)));
      const oldLink = (await linkFor(allGone.id, 'csv')).json().url as string;

      const dry = await t.app.services.retention.sweep({ now, dryRun: true });
      expect(dry.filesDeleted).toBe(0);
      for (const s of sessions) expect(await keysOf(s.id)).toEqual(before.get(s.id));

      const run = await t.app.services.retention.sweep({ now });
      expect(run.filesDeleted).toBe(5); // raw of two sessions (CSV and bundle each), the report of one
      expect(await keysOf(rawGone.id)).toEqual(before.get(rawGone.id)!.filter((k) => k.includes('/analysis/')));
      expect(await keysOf(allGone.id)).toEqual([]);
      expect(await keysOf(held.id)).toEqual(before.get(held.id));
      expect(await keysOf(recent.id)).toEqual(before.get(recent.id));
      expect(await keysOf(essay.id)).not.toEqual([]);
      // A link made before the sweep opens nothing after it.
      const after = await follow(oldLink);
      expect(after.status).not.toBe(200);
      const purge = await (
        await linkedAudit(t.app.services)
      )
        .selectFrom('audit_log')
        .select('detail')
        .where('resource_id', '=', allGone.id)
        .where('action', '=', 'retention.purge')
        .execute();
      expect(purge.map((p) => (p.detail as { files: number }).files).sort()).toEqual([1, 2]);
    }, 240_000);
  });
}

storedFiles('filesystem', async () => ({ overrides: {}, stop: async () => {} }));

storedFiles('S3 (s3rver)', async () => {
  const server: S3TestServer = await startS3TestServer('veritas-downloads');
  return {
    overrides: {
      blob: {
        driver: 's3',
        s3: {
          endpoint: server.endpoint,
          region: 'us-east-1',
          bucket: server.bucket,
          forcePathStyle: true,
          credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
        },
      },
    },
    stop: () => server.stop(),
  };
});
