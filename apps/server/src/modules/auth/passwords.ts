import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { AppError } from '../../kernel/errors';

/**
 * argon2id at OWASP's minimum (Password Storage Cheat Sheet, 2023+): 19 MiB of memory, 2 passes, one
 * lane. About 20–40 ms per hash on one core here; raising memoryCost is the first knob if the
 * machine allows. Stored hashes carry their parameters (PHC string), so raising them later keeps old
 * hashes verifiable.
 */
export const ARGON2_PARAMS = {
  algorithm: 2 as Algorithm, // Argon2id (a const enum in the package's types)
  memoryCost: 19_456, // KiB
  timeCost: 2, // iterations
  parallelism: 1,
} as const;

/** How passwords are hashed and checked; injected so tests can count verifications. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(storedHash: string, password: string): Promise<boolean>;
}

export const argon2Hasher: PasswordHasher = {
  hash: (password) => hash(password, ARGON2_PARAMS),
  async verify(storedHash, password) {
    try {
      return await verify(storedHash, password);
    } catch {
      return false; // a malformed stored hash verifies nothing
    }
  },
};

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

/** The most common passwords of 12 characters or more in public breach lists: refused outright. */
const COMMON = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456789123',
  '111111111111',
  '000000000000',
  'qwertyuiopas',
  'qwerty123456',
  '1q2w3e4r5t6y',
  '1qaz2wsx3edc',
  'qwertyuiop123',
  'password1234',
  'password12345',
  'password123456',
  'passwordpassword',
  'iloveyou1234',
  'abcdefghijkl',
  'abc123abc123',
  'aaaaaaaaaaaa',
  'welcome12345',
  'letmein12345',
  'administrator',
  'changeme1234',
  'veritas12345',
]);

/** Throws `weak-password` with what to change; the password itself is never echoed. */
export function checkPasswordPolicy(password: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN) throw new AppError('weak-password', `a password has at least ${PASSWORD_MIN} characters (this one has ${length})`);
  if (length > PASSWORD_MAX) throw new AppError('weak-password', `a password has at most ${PASSWORD_MAX} characters`);
  if (COMMON.has(password.toLowerCase())) throw new AppError('weak-password', 'this password is among the most common ones; choose another');
  if (new Set(password).size < 4) throw new AppError('weak-password', 'a password uses at least 4 different characters');
}
