import type { Database } from '../../platform/db/database';
import type { AuditService } from '../audit';
import { createUsersService, type UsersService } from './users.service';
import { createClassesService, type ClassesService } from './classes.service';
import { createTenantService, type TenantService } from './tenant.service';

/** The people of a tenant, its classes and its settings. */
export interface PeopleService {
  users: UsersService;
  classes: ClassesService;
  tenant: TenantService;
}

export function createPeopleService(database: Database, audit: AuditService): PeopleService {
  return { users: createUsersService(database, audit), classes: createClassesService(database, audit), tenant: createTenantService(database, audit) };
}
