/**
 * The plan's text, the stack tests and the benchmarks read identities through here; the reading itself is pure
 * and lives in analysis/ (roles.ts, describe.ts).
 */
export { permissionDocumentsOf, rolesOf, type AttachedPolicy, type RoleView, type ServiceAccountView } from "../analysis/roles";
export { describeConditions, describePermissions, describeTrust } from "../analysis/describe";
