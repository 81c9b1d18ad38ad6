/**
 * The one host capability the core uses: Web Crypto (SHA-256, HMAC) and the TextEncoder that feeds
 * it. Every runtime we target has both (browsers, Node 20, workers), but neither is in ES2023, and the
 * core compiles without DOM or Node types. So what the schema needs of the host is typed here, narrowly,
 * and read from globalThis in this one file; the lint rules forbid `crypto` and `TextEncoder` elsewhere
 * in the pure packages.
 */
export interface HmacKey {
  readonly type: string;
}

interface Subtle {
  digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer>;
  importKey(format: 'raw', keyData: Uint8Array, algorithm: { name: 'HMAC'; hash: 'SHA-256' }, extractable: false, usages: ['sign']): Promise<HmacKey>;
  sign(algorithm: 'HMAC', key: HmacKey, data: Uint8Array): Promise<ArrayBuffer>;
}

interface Host {
  crypto: { subtle: Subtle };
  TextEncoder: new () => { encode(text: string): Uint8Array };
}

const host = globalThis as unknown as Host;

export const subtle: Subtle = host.crypto.subtle;
export const utf8: { encode(text: string): Uint8Array } = new host.TextEncoder();
