import { describe, expect, it } from 'vitest';
import { ApiProblem } from './problem';

const answer = (status: number, statusText = '') => new Response(null, { status, statusText });

describe('ApiProblem', () => {
  it('takes its code from the problem type, and its message from the detail or the title', () => {
    const p = ApiProblem.from(answer(401), { type: 'urn:veritas:problem:token-expired', title: 'The access token has expired; refresh it', status: 401 });
    expect(p).toBeInstanceOf(Error);
    expect([p.code, p.status, p.message, p.summary]).toEqual([
      'token-expired',
      401,
      'The access token has expired; refresh it',
      '401 The access token has expired; refresh it',
    ]);
    const withDetail = ApiProblem.from(answer(404), {
      type: 'urn:veritas:problem:not-found',
      title: 'Not found',
      status: 404,
      detail: 'no session abc',
      requestId: 'r1',
    });
    expect([withDetail.message, withDetail.requestId]).toEqual(['no session abc', 'r1']);
  });

  it('makes a problem of an answer that is not one (a proxy page, nothing), keeping its status', () => {
    expect(ApiProblem.from(answer(502, 'Bad Gateway'), '<html>…</html>')).toMatchObject({ code: 'http-502', status: 502, message: 'Bad Gateway' });
    expect(ApiProblem.from(answer(504), 'upstream timed out')).toMatchObject({ code: 'http-504', message: 'upstream timed out' });
    expect(ApiProblem.from(answer(503, 'Service Unavailable'), undefined)).toMatchObject({ code: 'http-503', message: 'Service Unavailable' });
  });

  it('names the refused body fields of an invalid request, first message per field', () => {
    const p = new ApiProblem({
      type: 'urn:veritas:problem:invalid-request',
      title: 'The request does not match its schema',
      status: 400,
      errors: [
        { path: '/body/password', message: 'must NOT have fewer than 12 characters' },
        { path: '/body/password', message: 'second' },
        { path: '/body/displayName', message: 'must be string' },
        { path: '/querystring/limit', message: 'must be integer' },
      ],
    });
    expect(p.fieldErrors()).toEqual({ password: 'must NOT have fewer than 12 characters', displayName: 'must be string' });
  });
});
