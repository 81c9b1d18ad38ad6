/** Tenants (institutions) and their people: the rows other modules read people through. */
export { insertTenant, findTenantById, findTenantBySlug, updateTenant, type TenantRow } from './tenants.repository';
export { insertUser, findUser, findUserByEmailForSignIn, findUserByOidcSubject, updateUser, normalEmail, type UserRow, type NewUser } from './users.repository';
