/** Every rule of the pack, in report order. Import rules from here (or their own modules), never the pack. */
import type { Rule } from "../lib/rule";
import { adminPolicyAttachment } from "./adminPolicyAttachment";
import { nodeRoleDataPlaneAccess } from "./nodeRoleDataPlaneAccess";
import { oidcTrustConditionForAnotherIssuer } from "./oidcTrustConditionForAnotherIssuer";
import { oidcTrustSetOperatorOrIfExists } from "./oidcTrustSetOperatorOrIfExists";
import { oidcTrustWithoutAudience } from "./oidcTrustWithoutAudience";
import { oidcTrustWithoutExactSubject } from "./oidcTrustWithoutExactSubject";
import { permissionsPassRoleOnAnyResource } from "./permissionsPassRoleOnAnyResource";
import { permissionsPrivilegeEscalation } from "./permissionsPrivilegeEscalation";
import { permissionsRestrictableActionOnAnyResource } from "./permissionsRestrictableActionOnAnyResource";
import { permissionsUnknownAction } from "./permissionsUnknownAction";
import { permissionsWildcardAction } from "./permissionsWildcardAction";
import { policyOverSizeLimit } from "./policyOverSizeLimit";
import { presetStatementAltered } from "./presetStatementAltered";
import { serviceAccountRoleTrustMismatch } from "./serviceAccountRoleTrustMismatch";
import { trustAccountRootPrincipal } from "./trustAccountRootPrincipal";
import { trustWildcardPrincipal } from "./trustWildcardPrincipal";
import { workloadAccessRisky } from "./workloadAccessRisky";
import { podIdentityTargetRoleTrustsMore } from "./podIdentityTargetRoleTrustsMore";
import { podIdentityTrustWithoutConditions } from "./podIdentityTrustWithoutConditions";
import { podIdentityTrustWithoutTagSession } from "./podIdentityTrustWithoutTagSession";
import { sessionTagVariableOutsidePodIdentity } from "./sessionTagVariableOutsidePodIdentity";

export const RULES: Rule[] = [
  oidcTrustWithoutExactSubject,
  oidcTrustWithoutAudience,
  oidcTrustConditionForAnotherIssuer,
  oidcTrustSetOperatorOrIfExists,
  trustWildcardPrincipal,
  trustAccountRootPrincipal,
  permissionsWildcardAction,
  permissionsRestrictableActionOnAnyResource,
  permissionsPassRoleOnAnyResource,
  permissionsPrivilegeEscalation,
  permissionsUnknownAction,
  presetStatementAltered,
  policyOverSizeLimit,
  adminPolicyAttachment,
  nodeRoleDataPlaneAccess,
  serviceAccountRoleTrustMismatch,
  workloadAccessRisky,
  podIdentityTrustWithoutConditions,
  podIdentityTrustWithoutTagSession,
  podIdentityTargetRoleTrustsMore,
  sessionTagVariableOutsidePodIdentity,
];
