/**
 * Amazon EBS CSI driver: upstream `AmazonEBSCSIDriverPolicyV2` (every mutation guarded by the driver's
 * `ebs.csi.aws.com/cluster: "true"` tag, or the `kubernetes.io/created-for/pvc/name` tag of migrated in-tree volumes),
 * KMS only on the listed keys and only through EC2. With `clusterScoped`, the guard is this cluster's
 * `ebs.csi.aws.com/cluster-name` tag instead, as in upstream's `AmazonEBSCSIDriverEKSClusterScopedPolicy`, whose
 * `${aws:PrincipalTag/eks-cluster-name}` IRSA sessions do not carry (IRSA has no session tags): the name is written
 * into the policy.
 */
import { viaService } from "../environment";
import { arnIn, type PresetContext, type PresetDefinition, type PresetProbe, type PresetStatement } from "./preset";

const DESCRIBE = ["ec2:DescribeAvailabilityZones", "ec2:DescribeInstances", "ec2:DescribeInstanceTypes", "ec2:DescribeSnapshots", "ec2:DescribeVolumes", "ec2:DescribeVolumesModifications", "ec2:DescribeVolumeStatus"];
const MANAGE = ["ec2:ModifyVolume", "ec2:AttachVolume", "ec2:DetachVolume", "ec2:DeleteVolume"];
const KMS = ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext"];
const MIGRATED = "kubernetes.io/created-for/pvc/name";

const ec2 = (ctx: PresetContext, resource: string) => arnIn(ctx, "ec2", resource);
/** Snapshot ARNs have no account: `arn:<partition>:ec2:<region>::snapshot/<id>`. */
const snapshot = (ctx: PresetContext, id: string) => arnIn(ctx, "ec2", `snapshot/${id}`, { account: false });

/** The tag a volume or snapshot of this driver carries: `[key, value]`. */
function guard(ctx: PresetContext): [string, string] {
  return ctx.clusterScoped ? ["ebs.csi.aws.com/cluster-name", ctx.clusterName] : ["ebs.csi.aws.com/cluster", "true"];
}

function statements(ctx: PresetContext): PresetStatement[] {
  const [key, value] = guard(ctx);
  const requestTag = { StringEquals: { [`aws:RequestTag/${key}`]: value } };
  const resourceTag = { StringEquals: { [`ec2:ResourceTag/${key}`]: value } };
  const migrated = { StringLike: { [`ec2:ResourceTag/${MIGRATED}`]: "*" } };
  const volumes = ec2(ctx, "volume/*");
  const snapshots = snapshot(ctx, "*");
  const out: PresetStatement[] = [
    { sid: "Describe", actions: DESCRIBE, resources: ["*"], residual: "read-only: volumes, snapshots, instances and zones; these Describe calls accept only \"*\"" },
    { sid: "CreateTaggedVolumes", actions: ["ec2:CreateVolume", "ec2:CopyVolumes"], resources: [volumes], conditions: requestTag, residual: `a new volume has no ARN before it exists: it must be created with the ${key} tag` },
    { sid: "CopyManagedVolumes", actions: ["ec2:CopyVolumes"], resources: [volumes], conditions: resourceTag, residual: `copies only volumes carrying the ${key} tag` },
    { sid: "CreateTaggedSnapshots", actions: ["ec2:CreateSnapshot"], resources: [snapshots], conditions: requestTag, residual: `a new snapshot has no ARN before it exists: it must be created with the ${key} tag` },
    { sid: "SnapshotManagedVolumes", actions: ["ec2:CreateSnapshot"], resources: [volumes], conditions: resourceTag, residual: `snapshots only volumes carrying the ${key} tag` },
    { sid: "ManageManagedVolumes", actions: MANAGE, resources: [volumes], conditions: resourceTag, residual: `modifies, attaches, detaches and deletes only volumes carrying the ${key} tag` },
    { sid: "CreateFromManagedSnapshots", actions: ["ec2:CreateVolume", "ec2:EnableFastSnapshotRestores"], resources: [snapshots], conditions: resourceTag, residual: `restores only snapshots carrying the ${key} tag` },
    { sid: "DeleteManagedSnapshots", actions: ["ec2:DeleteSnapshot", "ec2:LockSnapshot"], resources: [snapshots], conditions: resourceTag, residual: `deletes and locks only snapshots carrying the ${key} tag` },
    {
      sid: "TagOnCreate",
      actions: ["ec2:CreateTags"],
      resources: [volumes, snapshots],
      conditions: { StringEquals: { "ec2:CreateAction": ["CreateVolume", "CreateSnapshot", "CopyVolumes"] } },
      residual: "tags volumes and snapshots only as it creates them",
    },
    {
      sid: "RetagManagedVolumes",
      actions: ["ec2:CreateTags", "ec2:DeleteTags"],
      resources: [volumes],
      conditions: { ...resourceTag, Null: { "aws:TagKeys": "false" }, "ForAllValues:StringNotEquals": { "aws:TagKeys": ["ebs.csi.aws.com/cluster", "ebs.csi.aws.com/cluster-name", MIGRATED] } },
      residual: `edits the tags of volumes carrying the ${key} tag, never the guard tags themselves`,
    },
  ];
  if (ctx.clusterScoped) {
    out.push(
      { sid: "AttachToClusterNodes", actions: ["ec2:AttachVolume", "ec2:DetachVolume"], resources: [ec2(ctx, "instance/*")], conditions: { StringEquals: { "ec2:ResourceTag/eks:cluster-name": ctx.clusterName } }, residual: "attaches volumes only to instances EKS tagged with this cluster's name" },
      { sid: "AttachToTaggedNodes", actions: ["ec2:AttachVolume", "ec2:DetachVolume"], resources: [ec2(ctx, "instance/*")], conditions: { StringEquals: { [`ec2:ResourceTag/${key}`]: value } }, residual: `attaches volumes only to instances tagged with this cluster's ${key} by hand` },
    );
  } else {
    out.push(
      { sid: "CopyMigratedVolumes", actions: ["ec2:CopyVolumes"], resources: [volumes], conditions: migrated, residual: "copies volumes the in-tree plugin created (before migration to CSI), which carry the PVC tag instead" },
      { sid: "ManageMigratedVolumes", actions: MANAGE, resources: [volumes], conditions: migrated, residual: "manages volumes the in-tree plugin created, which carry the PVC tag instead" },
      { sid: "AttachToNodes", actions: ["ec2:AttachVolume", "ec2:DetachVolume"], resources: [ec2(ctx, "instance/*")], residual: "a node is any instance the scheduler places a pod on; upstream's V2 policy does not scope instances (clusterScoped does)" },
    );
  }
  if (ctx.kmsKeyArns.length > 0) {
    out.push({ sid: "Kms", actions: KMS, resources: ctx.kmsKeyArns, conditions: { StringEquals: { "kms:ViaService": viaService("ec2", ctx.env) } } });
  }
  return out;
}

export const ebsCsi: PresetDefinition = {
  name: "ebs-csi",
  code: "EbsCsi",
  title: "Amazon EBS CSI driver",
  upstream: [
    {
      repository: "kubernetes-sigs/aws-ebs-csi-driver",
      path: "docs/AmazonEBSCSIDriverPolicyV2.json",
      commit: "429e202e589798e55c0f8ddcc81b2850b7f000d0",
      fileCommit: "ffbba586f51e74393f9bffd3509ca2e85c238efd",
      blob: "c92576cc5243303a7633fecba1e25a175ed467f6",
      actions: [...DESCRIBE, ...MANAGE, "ec2:CreateVolume", "ec2:CopyVolumes", "ec2:CreateSnapshot", "ec2:EnableFastSnapshotRestores", "ec2:DeleteSnapshot", "ec2:LockSnapshot", "ec2:CreateTags", "ec2:DeleteTags"].sort(),
    },
    {
      repository: "kubernetes-sigs/aws-ebs-csi-driver",
      path: "docs/AmazonEBSCSIDriverEKSClusterScopedPolicy.json",
      commit: "429e202e589798e55c0f8ddcc81b2850b7f000d0",
      fileCommit: "ffbba586f51e74393f9bffd3509ca2e85c238efd",
      blob: "faaf42a4bcb3e76b9b4d0a89fad7668547b10930",
      actions: [...DESCRIBE, ...MANAGE, "ec2:CreateVolume", "ec2:CopyVolumes", "ec2:CreateSnapshot", "ec2:EnableFastSnapshotRestores", "ec2:DeleteSnapshot", "ec2:LockSnapshot", "ec2:CreateTags", "ec2:DeleteTags"].sort(),
    },
  ],
  notGranted: {},
  added: { ...Object.fromEntries(KMS.map((a) => [a, "docs/install.md's KMS statement for encrypted volumes, on the listed keys only (upstream's example allows every key)"])) },
  serviceAccount: {
    namespace: "kube-system",
    name: "ebs-csi-controller-sa",
    chart: "aws-ebs-csi-driver/aws-ebs-csi-driver",
    annotationsValue: "controller.serviceAccount.annotations",
    // The driver writes the cluster-name tag the cluster-scoped statements require only when started with
    // --k8s-tag-cluster-id (aws-ebs-csi-driver#2899), which this chart value sets.
    alsoSet: (ctx) => (ctx.clusterScoped ? ["controller.k8sTagClusterId=<clusterName>"] : []),
  },
  required: [],
  optional: ["clusterName", "kmsKeyArns", "clusterScoped"],
  variants: [{ clusterScoped: false }, { clusterScoped: true }, { kmsKeyArns: ["*"] }],
  statements,
  probes: (ctx): PresetProbe[] => {
    const [key, value] = guard(ctx);
    const volume = ec2(ctx, "volume/vol-0123456789abcdef0");
    const snap = snapshot(ctx, "snap-0123456789abcdef0");
    const out: PresetProbe[] = [
      { label: "CreateVolume with the driver's tag", action: "ec2:CreateVolume", resource: ec2(ctx, "volume/*"), context: { [`aws:RequestTag/${key}`]: value }, expect: "Allowed" },
      { label: "CreateVolume without the driver's tag", action: "ec2:CreateVolume", resource: ec2(ctx, "volume/*"), expect: "Denied" },
      { label: "AttachVolume of a driver volume", action: "ec2:AttachVolume", resource: volume, context: { [`ec2:ResourceTag/${key}`]: value }, expect: "Allowed" },
      { label: "DeleteVolume of a driver volume", action: "ec2:DeleteVolume", resource: volume, context: { [`ec2:ResourceTag/${key}`]: value }, expect: "Allowed" },
      { label: "DeleteVolume of an untagged volume", action: "ec2:DeleteVolume", resource: volume, expect: "Denied" },
      { label: "DeleteSnapshot of an untagged snapshot", action: "ec2:DeleteSnapshot", resource: snap, expect: "Denied" },
      { label: "DeleteTags of the guard tag on a driver volume", action: "ec2:DeleteTags", resource: volume, context: { [`ec2:ResourceTag/${key}`]: value, "aws:TagKeys": [key] }, expect: "Denied" },
    ];
    if (ctx.clusterScoped) {
      out.push({ label: "DeleteVolume of another cluster's volume", action: "ec2:DeleteVolume", resource: volume, context: { [`ec2:ResourceTag/${key}`]: "another-cluster" }, expect: "Denied" });
    }
    for (const keyArn of ctx.kmsKeyArns.slice(0, 1)) {
      out.push({ label: "kms:CreateGrant on a listed key through EC2", action: "kms:CreateGrant", resource: keyArn, context: { "kms:ViaService": viaService("ec2", ctx.env) }, expect: "Allowed" });
      out.push({ label: "kms:Decrypt on another key", action: "kms:Decrypt", resource: keyArn.replace(/key\/.*$/, "key/00000000-0000-4000-8000-000000000000"), context: { "kms:ViaService": viaService("ec2", ctx.env) }, expect: "Denied" });
    }
    return out;
  },
};
