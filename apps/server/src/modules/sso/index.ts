/** Single sign-on per institution with OpenID Connect (authorization code + PKCE). */
export { createSsoService, type SsoService, type SsoDeps } from './sso.service';
export { ssoAdminRoutes } from './sso-admin.routes';
export { ssoSignInRoutes } from './sso-sign-in.routes';
export { LOGIN_TTL_MS, safeReturnTo } from './sso-sign-in.service';
