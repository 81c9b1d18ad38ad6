import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { lockDataDir, DataDirInUseError } from './data-lock';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'veritas-lock-'));
  dirs.push(d);
  return d;
};

describe('lockDataDir', () => {
  it('refuses a folder held by a live process, with a clear message', async () => {
    const dir = tmp();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      writeFileSync(join(dir, 'veritas.lock'), String(other.pid));
      expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
      expect(() => lockDataDir(dir)).toThrow(/in use by process \d+/);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a lock left by a killed process at once', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'veritas.lock'), '999999');
    const unlock = lockDataDir(dir);
    expect(readFileSync(join(dir, 'veritas.lock'), 'utf8')).toBe(String(process.pid));
    unlock();
    expect(existsSync(join(dir, 'veritas.lock'))).toBe(false);
  });
});
