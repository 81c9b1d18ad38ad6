import { readFileSync } from 'node:fs';
import pg from 'pg';

/** Clock ticks per second of /proc (USER_HZ: 100 on every Linux this runs on). */
const HZ = 100;

/** CPU seconds (user + system, all threads) a process has used, or 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / HZ;
  } catch {
    return 0;
  }
}

/** The whole machine: CPU seconds busy and in total (all cores) since boot. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = cpu[3]! + (cpu[4] ?? 0);
  return { busy: (total - idle) / HZ, total: total / HZ };
}

/** PostgreSQL processes: the backends serving one database, and the shared background writers. */
export async function postgresPids(url: string): Promise<{ backends: number[]; background: number[] }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ pid: number; backend_type: string; own: boolean }>(
      `select pid, backend_type, datname = current_database() as own from pg_stat_activity where pid <> pg_backend_pid()`,
    );
    return {
      backends: r.rows.filter((x) => x.own && x.backend_type === 'client backend').map((x) => x.pid),
      background: r.rows.filter((x) => ['walwriter', 'checkpointer', 'background writer'].includes(x.backend_type)).map((x) => x.pid),
    };
  } finally {
    await c.end();
  }
}

/** CPU seconds of a set of processes that may come and go during a window: deltas for those seen at both ends. */
export class CpuWindow {
  private readonly start = new Map<number, number>();
  constructor(pids: number[]) {
    for (const p of pids) this.start.set(p, processCpuSeconds(p));
  }
  /** Seconds used since the window opened by the given pids (a pid new at the end counts from 0). */
  used(pidsAtEnd: number[]): number {
    const all = new Set([...this.start.keys(), ...pidsAtEnd]);
    let s = 0;
    for (const p of all) {
      const now = processCpuSeconds(p);
      if (now > 0) s += now - (this.start.get(p) ?? 0);
    }
    return s;
  }
}
