/** Sign-in and the credentials of people: access tokens, passwords, refresh tokens, cookies, one-time links. */
export { createAccessTokens, ACCESS_TOKEN_TTL_S, TOKEN_AUDIENCE, TOKEN_ISSUER, type AccessTokens, type TokenSubject } from './access-tokens';
export { createAuthService, type AuthService, type AuthDeps } from './auth.service';
export { REFRESH_TOKEN_TTL_S, type SignedIn } from './sign-in.service';
export { setSignInCookies, clearSignInCookies, cookieSecurity, REFRESH_COOKIE, CSRF_COOKIE, CSRF_HEADER } from './sign-in-cookies';
export { randomToken, tokenHash, sameSecret } from './secret-tokens';
export { argon2Hasher, checkPasswordPolicy, ARGON2_PARAMS, type PasswordHasher } from './passwords';
export { createLoginThrottle, LOGIN_LIMITS, type LoginThrottle } from './login-throttle';
export { INVITATION_TTL_S, RESET_TTL_S, type IssuedLink } from './links.service';
export { authRoutes } from './auth.routes';
export { meRoutes } from './me.routes';
export { linksRoutes } from './links.routes';
export { createAdminInvitation, rotateSigningKeys, TENANT_SLUG, type AdminInvitation } from './operator';
export { seedDemoPeople, DEMO_PASSWORD, DEMO_PEOPLE, DEMO_TENANT, type DemoPerson } from './demo-people';
