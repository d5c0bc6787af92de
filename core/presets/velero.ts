/**
 * Velero with its AWS plugin: upstream `README.md` of velero-plugin-for-aws (S3 on its bucket, EBS snapshots), on the
 * bucket's prefix only, and with snapshots deleted and restored only when they carry the `velero.io/backup` tag Velero
 * writes on every snapshot it takes (upstream: any snapshot of the account). KMS only on the listed keys (the README's
 * statement for `ebsKmsKeyId`: any key of the account).
 */
import { viaService } from "../environment";
import { s3BucketArn, s3ObjectArn } from "../arn";
import { arnIn, type PresetContext, type PresetDefinition, type PresetProbe, type PresetStatement } from "./preset";

const TAG = "velero.io/backup";
const OBJECTS = ["s3:GetObject", "s3:DeleteObject", "s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"];
const KMS_EC2 = ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ListGrants", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RetireGrant", "kms:RevokeGrant"];
const KMS_README = ["kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Encrypt", "kms:DescribeKey", "kms:Decrypt", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant", "kms:RetireGrant", "kms:ListRetirableGrants"];

const ec2 = (ctx: PresetContext, resource: string) => arnIn(ctx, "ec2", resource);
/** Snapshot ARNs have no account: `arn:<partition>:ec2:<region>::snapshot/<id>`. */
const snapshot = (ctx: PresetContext, id: string) => arnIn(ctx, "ec2", `snapshot/${id}`, { account: false });
/** A prefix is a folder, as for S3 grants: `backups` and `backups/` both mean the keys under `backups/`. */
const normalizePrefix = (prefix: string) => prefix.replace(/\/$/, "");
const objects = (ctx: PresetContext) => {
  const prefix = normalizePrefix(ctx.prefix);
  return s3ObjectArn(ctx.env, ctx.bucket, prefix ? `${prefix}/*` : "*");
};

export const velero: PresetDefinition = {
  name: "velero",
  code: "Velero",
  title: "Velero (velero-plugin-for-aws)",
  upstream: [
    {
      repository: "vmware-tanzu/velero-plugin-for-aws",
      path: "README.md",
      commit: "800bcfb14d8e446ddd9aff91a36e551cbf79414d",
      fileCommit: "9854632fd70ff1e5d9ffbadcfa45a9b90e6f9942",
      blob: "2ebddff0ecdf10795acecab2088686f48c2035ba",
      actions: ["ec2:DescribeVolumes", "ec2:DescribeSnapshots", "ec2:CreateTags", "ec2:CreateVolume", "ec2:CreateSnapshot", "ec2:DeleteSnapshot", ...OBJECTS, "s3:ListBucket", ...KMS_README].sort(),
    },
  ],
  notGranted: {
    "kms:ReEncrypt*": "granted as its two actions kms:ReEncryptFrom and kms:ReEncryptTo",
    "kms:GenerateDataKey*": "granted as kms:GenerateDataKey and kms:GenerateDataKeyWithoutPlaintext (EBS encryption uses no data key pairs)",
    "kms:ListRetirableGrants": "takes only \"*\" and is not called on restore",
  },
  added: {
    "kms:ReEncryptFrom": "the README's kms:ReEncrypt*",
    "kms:ReEncryptTo": "the README's kms:ReEncrypt*",
    "kms:GenerateDataKey": "the README's kms:GenerateDataKey*",
    "kms:GenerateDataKeyWithoutPlaintext": "the README's kms:GenerateDataKey*",
  },
  serviceAccount: {
    namespace: "velero",
    name: "velero-server",
    chart: "vmware-tanzu/velero",
    annotationsValue: "serviceAccount.server.annotations",
    alsoSet: ["configuration.backupStorageLocation[0].bucket=<bucket>", "configuration.backupStorageLocation[0].prefix=<prefix>"],
  },
  required: ["bucket"],
  optional: ["prefix", "kmsKeyArns"],
  variants: [{}, { prefix: "*" }, { kmsKeyArns: ["*"] }],
  statements: (ctx): PresetStatement[] => {
    const prefix = normalizePrefix(ctx.prefix);
    return [
      { sid: "Describe", actions: ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"], resources: ["*"], residual: "read-only: volumes and snapshots; these Describe calls accept only \"*\"" },
      { sid: "SnapshotVolumes", actions: ["ec2:CreateSnapshot"], resources: [ec2(ctx, "volume/*")], residual: "a backup snapshots whichever persistent volume it selects" },
      { sid: "CreateTaggedSnapshots", actions: ["ec2:CreateSnapshot"], resources: [snapshot(ctx, "*")], conditions: { Null: { [`aws:RequestTag/${TAG}`]: "false" } }, residual: `a new snapshot has no ARN before it exists: it must be created with the ${TAG} tag` },
      { sid: "RestoreFromBackups", actions: ["ec2:CreateVolume"], resources: [snapshot(ctx, "*")], conditions: { Null: { [`ec2:ResourceTag/${TAG}`]: "false" } }, residual: `restores only snapshots carrying the ${TAG} tag` },
      { sid: "CreateRestoredVolumes", actions: ["ec2:CreateVolume"], resources: [ec2(ctx, "volume/*")], conditions: { Null: { [`aws:RequestTag/${TAG}`]: "false" } }, residual: `a restored volume has no ARN before it exists: it is created with the snapshot's tags, ${TAG} among them` },
      {
        sid: "TagOnCreate",
        actions: ["ec2:CreateTags"],
        resources: [ec2(ctx, "volume/*"), snapshot(ctx, "*")],
        conditions: { StringEquals: { "ec2:CreateAction": ["CreateSnapshot", "CreateVolume"] } },
        residual: "tags snapshots and volumes only as it creates them",
      },
      { sid: "DeleteBackupSnapshots", actions: ["ec2:DeleteSnapshot"], resources: [snapshot(ctx, "*")], conditions: { Null: { [`ec2:ResourceTag/${TAG}`]: "false" } }, residual: `deletes only snapshots carrying the ${TAG} tag` },
      { sid: "Objects", actions: OBJECTS, resources: [objects(ctx)] },
      { sid: "ListBucket", actions: ["s3:ListBucket"], resources: [s3BucketArn(ctx.env, ctx.bucket)], ...(prefix ? { conditions: { StringLike: { "s3:prefix": [`${prefix}/`, `${prefix}/*`] } } } : {}) },
      ...(ctx.kmsKeyArns.length > 0 ? [{ sid: "KmsRestores", actions: KMS_EC2, resources: ctx.kmsKeyArns, conditions: { StringEquals: { "kms:ViaService": viaService("ec2", ctx.env) } } }] : []),
    ];
  },
  probes: (ctx): PresetProbe[] => {
    const snap = snapshot(ctx, "snap-0123456789abcdef0");
    const prefix = normalizePrefix(ctx.prefix);
    const key = (k: string) => s3ObjectArn(ctx.env, ctx.bucket, prefix ? `${prefix}/${k}` : k);
    return [
      { label: "CreateSnapshot tagged with its backup", action: "ec2:CreateSnapshot", resource: snapshot(ctx, "*"), context: { [`aws:RequestTag/${TAG}`]: "nightly-20261101" }, expect: "Allowed" },
      { label: "DeleteSnapshot of a backup snapshot", action: "ec2:DeleteSnapshot", resource: snap, context: { [`ec2:ResourceTag/${TAG}`]: "nightly-20261101" }, expect: "Allowed" },
      { label: "DeleteSnapshot of a snapshot Velero did not take", action: "ec2:DeleteSnapshot", resource: snap, expect: "Denied" },
      { label: "PutObject of a backup", action: "s3:PutObject", resource: key("backups/nightly-20261101/velero-backup.json"), expect: "Allowed" },
      { label: "PutObject in another bucket", action: "s3:PutObject", resource: s3ObjectArn(ctx.env, `${ctx.bucket}-other`, "backups/x.json"), expect: "Denied" },
    ];
  },
};
