/**
 * eks-irsa as a library: the components and the types of their arguments. Importing it registers nothing; the
 * config-driven program (`index.ts` beside `Pulumi.yaml`) is one consumer of it.
 */
export { ClusterOidcProvider, type ClusterOidcProviderArgs, type OidcProviderRef } from "./oidcProvider";
export { WorkloadIdentity, type WorkloadClusterArgs, type WorkloadIdentityArgs } from "./workloadIdentity";
export { ExternalSecretsOperator, type ExternalSecretsOperatorArgs } from "./externalSecrets";
export { TargetAccount, type TargetAccountArgs, type TargetRoleArgs, type TargetSourceArgs } from "./crossAccount";
export { AuditAlarm, type AuditAlarmArgs } from "./auditAlarm";
export { AccessLevel, type DynamoGrant, type S3Grant, type SecretGrant } from "../core/access";
export { type ChainedRole, type RoleInput, type WorkloadCluster, type WorkloadIdentityInput } from "../core/workload";
export { IdentityMode } from "../core/podIdentity";
export { AddonPresetName, type AddonPreset } from "../core/presets/preset";
export { ServiceAccountMode, type VerificationRecipe } from "../core/serviceAccount";
export { KeyAccess, QueueAccess, type KmsGrant, type SnsGrant, type SqsGrant } from "../core/serviceGrants";
export { type CustomStatement, type StatementCondition } from "../core/statements";
export { CrossAccountMode } from "../core/targetRole";
export {
  CreationPolicy,
  EsoIdentity,
  MetadataPolicy,
  SecretStoreKind,
  type ClusterSecretStoreInput,
  type ExternalSecretData,
  type ExternalSecretDataFrom,
  type ExternalSecretInput,
  type ExternalSecretsInput,
  type ExternalSecretTarget,
  type FindByPath,
  type RemoteRef,
  type WorkloadSecretStore,
} from "../core/eso";
export { ArgsError, type FieldPath, type Problem } from "../core/problems";
