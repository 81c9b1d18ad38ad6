/**
 * What the soak reads about each process's memory: resident set (VmRSS) of a process from /proc, the
 * proportional set (Pss, shared pages divided among the processes that map them) summed over a
 * PostgreSQL cluster's processes, a Redis's own figures, and a Node server's heap after a full collection.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';

const MB = 1024 * 1024;

/** Resident memory of a process in MB (NaN once it is gone). */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * A process's proportional set size in MB, whole and without its shared-memory part (Pss_Shmem), 0
 * once it is gone. A PostgreSQL backend's share of shared_buffers counts once in the cluster's sum.
 */
function pss(pid: number): { all: number; shmem: number } {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { all: kb('Pss') / 1024, shmem: kb('Pss_Shmem') / 1024 };
  } catch {
    return { all: 0, shmem: 0 };
  }
}

/** The postmaster and its children (backends, walwriter, checkpointer …) of a cluster's data directory. */
export function clusterPids(dataDir: string): number[] {
  const postmaster = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
  const pids = [postmaster];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The parent pid is the second field after the command, which may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) pids.push(Number(entry));
    } catch {
      // gone between the listing and the read
    }
  }
  return pids;
}

/**
 * A PostgreSQL cluster's memory (MB), summed over its processes: Pss, and Pss without shared memory
 * (the backends' own: caches, plans, sort memory — where a leak would show). The shared part is
 * shared_buffers and friends, fixed in size by the configuration, and counted in Pss only as
 * processes first touch its pages, so on a cold cluster it climbs for minutes without any leak.
 */
export function clusterMemory(dataDir: string): { pssMb: number; privateMb: number; processes: number } {
  const pids = clusterPids(dataDir);
  const each = pids.map(pss);
  const pssMb = each.reduce((s, p) => s + p.all, 0);
  return { pssMb, privateMb: pssMb - each.reduce((s, p) => s + p.shmem, 0), processes: pids.length };
}

/** A Redis's pid and its allocator's own count of bytes in use (`used_memory`, MB). */
export function redisInfo(port: number): { pid: number; usedMb: number } {
  const info = execFileSync('redis-cli', ['-p', String(port), 'info'], { encoding: 'utf8' });
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1]);
  return { pid: field('process_id'), usedMb: field('used_memory') / MB };
}

/**
 * A Node server's heap in use (MB) right after a full collection: bench/soak/heap-probe.mjs, preloaded
 * into it, collects on SIGUSR2 and writes the figure to `<dir>/<pid>.json`. NaN if no answer comes
 * within `waitMs` (a busy machine can delay the signal's handler by seconds, so the ceiling is generous).
 */
export async function heapAfterGcMb(pid: number, dir: string, waitMs = 30_000): Promise<number> {
  const file = `${dir}/${pid}.json`;
  rmSync(file, { force: true });
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    return Number.NaN;
  }
  for (const until = Date.now() + waitMs; Date.now() < until;) {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { heapUsed: number }).heapUsed / MB;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return Number.NaN;
}
