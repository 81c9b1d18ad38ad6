import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { CLAIM, EXAM_PARAMETER, LTI_VERSION } from './lti-claims';
import { refuse, type LaunchClaims } from './lti-id-token';

/**
 * LTI Deep Linking 2.0 (IMS): what a deep-linking request asks (its settings claim) and what Veritas
 * answers (the `LtiDeepLinkingResponse` claims, and the page that posts them back). Pure: the service
 * signs and stores.
 */
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';
export const DL_CLAIM = {
  contentItems: `${DL}content_items`,
  data: `${DL}data`,
  msg: `${DL}msg`,
} as const;
export const DEEP_LINKING_RESPONSE = 'LtiDeepLinkingResponse';
export const RESOURCE_LINK_TYPE = 'ltiResourceLink';

/** What Veritas keeps of a request's `deep_linking_settings` claim. */
export interface DeepLinkingSettings {
  returnUrl: string;
  data: string | undefined;
  acceptLineItem: boolean;
  title: string | undefined;
}

const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);

/**
 * Reads the settings of a deep-linking request (Deep Linking 2.0 §4.4.1): `deep_link_return_url`
 * (an http(s) URL; where the answer is posted) and `accept_types` are required, and the platform must
 * take `ltiResourceLink`, the only kind of item Veritas places; `data` is opaque and echoed back.
 */
export function readDeepLinkingSettings(claims: LaunchClaims): DeepLinkingSettings {
  const raw = claims.payload[CLAIM.deepLinkingSettings];
  const settings = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  if (!settings) return refuse('deep-linking-settings', 'a deep-linking request must carry its deep_linking_settings claim');
  const returnUrl = str(settings.deep_link_return_url, 2048);
  let parsed: URL | undefined;
  try {
    parsed = returnUrl ? new URL(returnUrl) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:'))
    refuse('deep-linking-settings', 'the deep-linking request names no usable deep_link_return_url');
  const types = settings.accept_types;
  if (!Array.isArray(types) || !types.includes(RESOURCE_LINK_TYPE))
    refuse('deep-linking-settings', 'the LMS does not accept LTI resource links here (accept_types), the only thing Veritas places');
  const data = settings.data === undefined ? undefined : str(settings.data, 4096);
  if (settings.data !== undefined && data === undefined)
    refuse('deep-linking-settings', 'the deep-linking request’s data is not a string of at most 4,096 characters');
  return { returnUrl: parsed!.href, data, acceptLineItem: settings.accept_lineitem === true, title: str(settings.title, 200) };
}

/** The exam a content item places. */
export interface PlacedExam {
  id: string;
  title: string;
  maxScore: number;
}

/**
 * The claims of the answer (Deep Linking 2.0 §4.5): issued by Veritas as the registration's client
 * (`iss` the client id) for the platform (`aud` its issuer), with a fresh nonce, the request's
 * deployment, the request's `data` unchanged, and one `ltiResourceLink` to Veritas's launch URL whose
 * custom parameter names the exam — or no item when the teacher cancelled. A line item (the gradebook
 * column) is asked for when the platform said it takes them.
 */
export function deepLinkingResponseClaims(input: {
  clientId: string;
  issuer: string;
  deploymentId: string;
  nonce: string;
  data: string | null;
  launchUrl: string;
  exam: PlacedExam | undefined;
  acceptLineItem: boolean;
}): JWTPayload {
  const items = input.exam
    ? [
        {
          type: RESOURCE_LINK_TYPE,
          url: input.launchUrl,
          title: input.exam.title,
          custom: { [EXAM_PARAMETER]: input.exam.id },
          ...(input.acceptLineItem ? { lineItem: { scoreMaximum: input.exam.maxScore, label: input.exam.title, resourceId: input.exam.id } } : {}),
        },
      ]
    : [];
  return {
    iss: input.clientId,
    aud: input.issuer,
    nonce: input.nonce,
    [CLAIM.messageType]: DEEP_LINKING_RESPONSE,
    [CLAIM.version]: LTI_VERSION,
    [CLAIM.deploymentId]: input.deploymentId,
    [DL_CLAIM.contentItems]: items,
    ...(input.data !== null ? { [DL_CLAIM.data]: input.data } : {}),
    ...(input.exam ? { [DL_CLAIM.msg]: `“${input.exam.title}” was added from Veritas.` } : {}),
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The one script of the answer page: it sends the form at once (the button does it without scripts or by keyboard). */
const AUTO_SUBMIT = 'document.getElementById("lti-return").submit();';
const AUTO_SUBMIT_HASH = `'sha256-${createHash('sha256').update(AUTO_SUBMIT).digest('base64')}'`;

/**
 * The page that takes the answer back to the LMS (Deep Linking 2.0 §4.5: an auto-submitted form
 * post of `JWT` to the return URL), with a visible button for a browser without scripts and for the
 * keyboard, and its own CSP: nothing loads, the one script by its hash, the form may go to the return
 * URL's origin only, and the page may be framed by the registration's LMS origins.
 */
export function returnPage(input: { returnUrl: string; jwt: string; title: string; frameOrigins: readonly string[] }): { html: string; csp: string } {
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Back to the course — Veritas</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main>` +
    `<h1>Back to the course</h1><p>${escapeHtml(input.title)}</p>` +
    `<form id="lti-return" method="post" action="${escapeHtml(input.returnUrl)}">` +
    `<input type="hidden" name="JWT" value="${escapeHtml(input.jwt)}">` +
    `<button type="submit">Return to the course</button></form></main>` +
    `<script>${AUTO_SUBMIT}</script></body></html>`;
  const frames = input.frameOrigins.length > 0 ? input.frameOrigins.join(' ') : "'none'";
  const csp = [
    "default-src 'none'",
    `script-src ${AUTO_SUBMIT_HASH}`,
    `form-action ${new URL(input.returnUrl).origin}`,
    `frame-ancestors ${frames}`,
    "base-uri 'none'",
  ].join('; ');
  return { html, csp };
}
