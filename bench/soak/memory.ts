/**
 * What the soak reads about each process's memory: resident set (VmRSS) of a process from /proc, the
 * proportional set (Pss, shared pages divided among the processes that map them) summed over a
 * PostgreSQL cluster's processes, a Redis's own figures, and a Node server's heap from its /metrics.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

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

/** Proportional set size in MB (0 once it is gone): a backend's share of shared_buffers counted once in the sum. */
function pssMb(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
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

/** A PostgreSQL cluster's memory: the sum of its processes' Pss (MB) and how many there are. */
export function clusterMemory(dataDir: string): { pssMb: number; processes: number } {
  const pids = clusterPids(dataDir);
  return { pssMb: pids.reduce((s, p) => s + pssMb(p), 0), processes: pids.length };
}

/** A Redis's pid and its allocator's own count of bytes in use (`used_memory`, MB). */
export function redisInfo(port: number): { pid: number; usedMb: number } {
  const info = execFileSync('redis-cli', ['-p', String(port), 'info'], { encoding: 'utf8' });
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1]);
  return { pid: field('process_id'), usedMb: field('used_memory') / MB };
}

/** A Node server's heap in use and resident memory (MB), from prom-client's default metrics on /metrics. */
export async function serverHeap(base: string): Promise<{ heapMb: number; rssMb: number }> {
  try {
    const text = await (await fetch(`${base}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text)?.[1]) / MB;
    return { heapMb: value('nodejs_heap_size_used_bytes'), rssMb: value('process_resident_memory_bytes') };
  } catch {
    return { heapMb: Number.NaN, rssMb: Number.NaN };
  }
}
