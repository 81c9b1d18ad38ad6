import { Type, type Static } from '@sinclair/typebox';
import { Text } from '@veritas/schema';
import { ROLES } from '../../kernel/actor';
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords';
import { TOKEN_PATTERN } from './secret-tokens';

export const RoleSchema = Type.Union(
  ROLES.map((r) => Type.Literal(r)),
  { description: 'admin, teacher (proctor), observer or student' },
);
export const Email = Text({ format: 'email', minLength: 3, maxLength: 254 });
/** Storable text; a name of only spaces is refused by the service (one pattern per schema). */
const DisplayName = Text({ minLength: 1, maxLength: 200 });
/** What a new password must be (the policy also refuses the most common ones, with a `weak-password` problem). */
export const NewPassword = Text({
  minLength: 1,
  maxLength: 1024,
  description: `${PASSWORD_MIN} to ${PASSWORD_MAX} characters, not a common one (else a weak-password problem says what to change)`,
});
/** A password being checked: bounded, never judged (an old password may predate the policy). */
const GivenPassword = Text({ minLength: 1, maxLength: 1024 });
const Opaque = Type.String({ pattern: TOKEN_PATTERN, description: '43 base64url characters' });

export const Me = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  tenant: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() }),
  enrollmentId: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Students: the institution’s enrollment id' })),
  department: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Teachers: their department' })),
  authMethod: Type.Union([Type.Literal('password'), Type.Literal('oidc'), Type.Literal('lti')], { description: 'How this sign-in was made' }),
});
export type MeView = Static<typeof Me>;

const Delivery = Type.Union([Type.Literal('cookie'), Type.Literal('body')], {
  description:
    '`cookie` (default, browsers): the refresh token is set as an httpOnly cookie with a CSRF cookie. `body` (other clients): it comes in the answer as `refreshToken` and no cookie is set.',
});

export const SignInAnswer = Type.Object({
  accessToken: Type.String({ description: 'Send as "Authorization: Bearer <token>"; lives expiresIn seconds' }),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer(),
  refreshToken: Type.Optional(Type.String({ description: 'Only with tokenDelivery "body"' })),
  user: Me,
});

export const LoginBody = Type.Object(
  { email: Text({ minLength: 1, maxLength: 254 }), password: GivenPassword, tokenDelivery: Type.Optional(Delivery) },
  { additionalProperties: false },
);
export const RefreshBody = Type.Object(
  { refreshToken: Type.Optional(Opaque) },
  {
    additionalProperties: false,
    description: 'Non-browser clients send the refresh token here; browsers send nothing and rely on the cookie (with X-CSRF-Token).',
  },
);
export const MePatch = Type.Object(
  { displayName: Type.Optional(DisplayName), newPassword: Type.Optional(NewPassword), currentPassword: Type.Optional(GivenPassword) },
  { additionalProperties: false, minProperties: 1 },
);

export const LinkParams = Type.Object({ token: Opaque });
export const LinkView = Type.Object({
  kind: Type.Union([Type.Literal('invitation'), Type.Literal('password-reset')]),
  email: Type.String(),
  tenantName: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()], { description: 'The name the invitation was made with, if any' }),
  expiresAt: Type.String({ format: 'date-time' }),
});
export const AcceptBody = Type.Object(
  { password: NewPassword, displayName: Type.Optional(DisplayName), tokenDelivery: Type.Optional(Delivery) },
  { additionalProperties: false },
);

export const InvitationBody = Type.Object({ email: Email, role: RoleSchema, displayName: Type.Optional(DisplayName) }, { additionalProperties: false });
export const Invitation = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: RoleSchema,
  displayName: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  createdBy: Type.Union([Type.String(), Type.Null()]),
});
export const IssuedInvitation = Type.Composite([
  Type.Omit(Invitation, ['createdAt', 'createdBy']),
  Type.Object({
    link: Type.String({ description: 'The one-time link, shown this once' }),
    note: Type.String(),
  }),
]);
export const InvitationParams = Type.Object({ invitationId: Text({ minLength: 1, maxLength: 64 }) });
export const UserParams = Type.Object({ userId: Text({ minLength: 1, maxLength: 64 }) });
export const IssuedReset = Type.Object({
  link: Type.String({ description: 'The one-time link, shown this once' }),
  expiresAt: Type.String({ format: 'date-time' }),
  note: Type.String(),
});
