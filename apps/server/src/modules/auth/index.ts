/** Sign-in and the credentials of people: access tokens (and, as they land, passwords, refresh tokens, links). */
export { createAccessTokens, ACCESS_TOKEN_TTL_S, TOKEN_AUDIENCE, TOKEN_ISSUER, type AccessTokens, type TokenSubject } from './access-tokens';
