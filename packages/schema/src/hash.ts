import { canonicalJson } from './canonical';
import { SESSION_FORMAT } from './version';
// Web Crypto is in every runtime we target (browsers, Node 20, workers), so no hashing library ships.
import { subtle, utf8 } from './web-crypto';

function toHex(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += bytes[i]!.toString(16).padStart(2, '0');
  return out;
}

export async function sha256Hex(text: string): Promise<string> {
  return toHex(await subtle.digest('SHA-256', utf8.encode(text)));
}

/** The prevHash of a session's first batch: binds the chain to the session id. */
export function genesisHash(sessionId: string): Promise<string> {
  return sha256Hex(`${SESSION_FORMAT}:${sessionId}`);
}

/** hash = SHA-256 over the canonical JSON of { events, prevHash }. */
export function batchHash(events: readonly unknown[], prevHash: string): Promise<string> {
  return sha256Hex(canonicalJson({ events, prevHash }));
}

/** The HMAC key a write token gives: SHA-256 of the token, so the server can keep it without the token. */
export function macKeyFromToken(writeToken: string): Promise<string> {
  return sha256Hex(writeToken);
}

/** mac = HMAC-SHA256(key = hex-decoded mac key, message = the batch hash). */
export function batchMac(macKeyHex: string, hash: string): Promise<string> {
  return hmacHex(macKeyHex, hash);
}

/** Binds the sealer into a server-sealed batch's MAC (docs/adr/0024-server-sealed-sessions.md). */
const SERVER_SEALED = 'veritas.server-sealed/v1:';

/**
 * The MAC the server gives a batch it sealed for a client that cannot hash: HMAC-SHA256(key = the
 * session's MAC key, message = "veritas.server-sealed/v1:" + hash). A bundle's `sealedBy` label is so
 * covered by the MAC: relabelling a client-sealed batch as server-sealed (or back) fails the check
 * of anyone who holds the key.
 */
export function serverSealMac(macKeyHex: string, hash: string): Promise<string> {
  return hmacHex(macKeyHex, SERVER_SEALED + hash);
}

async function hmacHex(macKeyHex: string, message: string): Promise<string> {
  const keyBytes = new Uint8Array(macKeyHex.length / 2);
  for (let i = 0; i < keyBytes.length; i++) keyBytes[i] = parseInt(macKeyHex.slice(i * 2, i * 2 + 2), 16);
  const key = await subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toHex(await subtle.sign('HMAC', key, utf8.encode(message)));
}

/** Constant-time comparison of two hex strings of equal length. */
export function hexEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
