/** Tenants (institutions) and their people: the rows other modules read people through, and the tenant's administration. */
export { insertTenant, findTenantById, findTenantBySlug, updateTenant, type TenantRow } from './tenants.repository';
export { insertUser, findUser, findUserByEmailForSignIn, findUserByOidcSubject, updateUser, normalEmail, type UserRow, type NewUser } from './users.repository';
export { peopleRoutes } from './people.routes';
export { createPeopleService, type PeopleService } from './people.service';
export type { Caller, UsersService } from './users.service';
export type { ClassesService } from './classes.service';
export type { TenantService, HostSignals } from './tenant.service';
export { insertClass, addMember } from './classes.repository';
export { removeMember } from './classes.repository';
