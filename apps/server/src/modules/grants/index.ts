/** Grants: which of a tenant's sessions a person or key reads (one rule for opening one and listing many). */
export { createGrants, type Grants } from './grants.service';
export { readableBy, type Reach } from './grants.repository';
