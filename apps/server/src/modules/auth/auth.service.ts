import type { AuthMethod, UserActor } from '../../kernel/actor';
import type { Database } from '../../platform/db/database';
import type { AuditService, RequestContext } from '../audit';
import type { UserRow } from '../people';
import type { AccessTokens } from './access-tokens';
import { createLinks, type LinksService } from './links.service';
import type { LoginThrottle } from './login-throttle';
import { argon2Hasher, type PasswordHasher } from './passwords';
import { createProfiles, type Profile, type ProfileChanges } from './profile.service';
import { createSignIn, type SignedIn } from './sign-in.service';

export interface AuthService {
  /** Signs a person in by any method (password, link, SSO): a new refresh-token family, audited. Refuses a disabled account. */
  signIn(user: UserRow, via: AuthMethod, context: RequestContext): Promise<SignedIn>;
  /** Email and password, throttled; `invalid-login` for every failure alike. */
  login(input: { email: string; password: string }, context: RequestContext, throttle: LoginThrottle): Promise<SignedIn>;
  /** Rotates a refresh token; a reused one revokes its family (`refresh-reused`). */
  refresh(refreshToken: string, context: RequestContext): Promise<SignedIn>;
  logout(refreshToken: string, context: RequestContext): Promise<void>;
  /** A person with their institution, for presenting. */
  profileOf(user: UserRow, authMethod: AuthMethod): Promise<Profile>;
  /** The signed-in person's profile (`invalid-credential` once the account is disabled). */
  me(actor: UserActor): Promise<Profile>;
  /** Changes one's own name or password (the current one needed, other sign-ins ended). */
  updateMe(actor: UserActor, changes: ProfileChanges, context: RequestContext, throttle: LoginThrottle): Promise<Profile>;
  /** Invitations and password resets. */
  links: LinksService;
  hasher: PasswordHasher;
}

export interface AuthDeps {
  database: Database;
  accessTokens: AccessTokens;
  audit: AuditService;
  /** argon2id unless given (tests count verifications through their own). */
  hasher?: PasswordHasher;
  clock?: () => Date;
}

export function createAuthService({ database, accessTokens, audit, hasher = argon2Hasher, clock = () => new Date() }: AuthDeps): AuthService {
  const signIns = createSignIn({ database, accessTokens, audit, hasher, clock });
  const profiles = createProfiles({ database, audit, hasher, clock, dummyHash: signIns.dummyHash });
  const links = createLinks({ database, audit, hasher, clock, signIn: signIns.signIn });
  return {
    signIn: signIns.signIn,
    login: signIns.login,
    refresh: signIns.refresh,
    logout: signIns.logout,
    profileOf: profiles.profileOf,
    me: profiles.me,
    updateMe: profiles.updateMe,
    links,
    hasher,
  };
}
