import { Type } from '@sinclair/typebox';
import { Text } from '@veritas/schema';
import { ROLES } from '../../kernel/actor';

/** The id of a person, a class or a key in a path or a filter: short, and nothing the database could refuse. */
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w.:-]+$' });

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Moment = Type.String({ format: 'date-time' });

export const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
export const UserStatusSchema = Type.Union([Type.Literal('active'), Type.Literal('disabled')]);
export const DisplayName = Text({ minLength: 1, maxLength: 200 });

export const Cursor = Type.String({ minLength: 1, maxLength: 512, description: 'The `next` of the previous page' });
export const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20 });
export const Next = Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null at the end' });

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  status: UserStatusSchema,
  enrollmentId: Type.Union([Type.String(), Type.Null()], { description: "A student's enrollment id" }),
  department: Type.Union([Type.String(), Type.Null()], { description: "A teacher's department" }),
  createdAt: Moment,
  lastSignInAt: Type.Union([Moment, Type.Null()]),
  teachers: Type.Optional(Type.Array(Type.String(), { description: "An observer's: the teachers they are attached to" })),
});

export const UserListQuery = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    status: Type.Optional(UserStatusSchema),
    q: Type.Optional(Text({ minLength: 1, maxLength: 200, description: 'Found anywhere in the display name or the email address, ignoring case' })),
    cursor: Type.Optional(Cursor),
    limit: Limit,
  },
  { additionalProperties: false },
);

export const UserPage = Type.Object({ items: Type.Array(UserView), next: Next });

export const UserPatch = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    status: Type.Optional(UserStatusSchema),
    displayName: Type.Optional(DisplayName),
    enrollmentId: Type.Optional(Nullable(Text({ minLength: 1, maxLength: 100 }))),
    department: Type.Optional(Nullable(Text({ minLength: 1, maxLength: 200 }))),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const UserParams = Type.Object({ userId: Id });
export const ObserverParams = Type.Object({ observerId: Id, teacherId: Id });

export const ClassName = Text({ minLength: 1, maxLength: 200 });

export const ClassView = Type.Object({ id: Type.String(), name: Type.String(), teacherId: Type.String(), createdAt: Moment });

export const MemberView = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  email: Type.String(),
  enrollmentId: Type.Union([Type.String(), Type.Null()]),
  status: UserStatusSchema,
});

export const ClassDetailView = Type.Composite([ClassView, Type.Object({ members: Type.Array(MemberView) })]);

export const ClassListQuery = Type.Object({ teacherId: Type.Optional(Id), cursor: Type.Optional(Cursor), limit: Limit }, { additionalProperties: false });
export const ClassPage = Type.Object({ items: Type.Array(ClassView), next: Next });

export const ClassCreate = Type.Object(
  { name: ClassName, teacherId: Type.Optional({ ...Id, description: "The class's teacher: an admin names one; a teacher's classes are their own" }) },
  { additionalProperties: false },
);
export const ClassPatch = Type.Object({ name: Type.Optional(ClassName), teacherId: Type.Optional(Id) }, { additionalProperties: false, minProperties: 1 });

export const ClassParams = Type.Object({ classId: Id });
export const MemberParams = Type.Object({ classId: Id, userId: Id });

export const HostSignalsSchema = Type.Union([Type.Literal('accept'), Type.Literal('refuse')], {
  description: "Whether this institution's sessions take signals the host page reports (webcam-derived scores): refused, they are never shown",
});

/** At most this many origins per tenant. */
export const MAX_TENANT_ORIGINS = 20;
export const CorsOriginsSchema = Type.Array(Type.String({ minLength: 8, maxLength: 200, pattern: '^https?://[^/?#\\s]+$' }), {
  maxItems: MAX_TENANT_ORIGINS,
  uniqueItems: true,
  description:
    "Other sites' pages (origins such as https://lms.example.edu, exactly as a browser sends them) allowed to use the recorder's routes for this institution's sessions (CORS). No wildcard; never with cookies.",
});

export const TenantView = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  hostSignals: HostSignalsSchema,
  corsOrigins: CorsOriginsSchema,
  createdAt: Moment,
});
export const TenantPatch = Type.Object(
  {
    name: Type.Optional(Text({ minLength: 1, maxLength: 200 })),
    hostSignals: Type.Optional(HostSignalsSchema),
    corsOrigins: Type.Optional(CorsOriginsSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
