/**
 * Amazon EFS CSI driver: upstream `docs/iam-policy-example.json`, with access points created only in the listed file
 * systems (upstream: in any) and every mutation guarded by the driver's `efs.csi.aws.com/cluster: "true"` tag.
 */
import { arnIn, type PresetContext, type PresetDefinition, type PresetProbe, type PresetStatement } from "./preset";

const DESCRIBE = ["elasticfilesystem:DescribeAccessPoints", "elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeMountTargets", "ec2:DescribeAvailabilityZones"];
const TAG = "efs.csi.aws.com/cluster";
const S3_FILES = ["s3files:ListAccessPoints", "s3files:ListFileSystems", "s3files:CreateAccessPoint", "s3files:TagResource", "s3files:DeleteAccessPoint"];

const efs = (ctx: PresetContext, resource: string) => arnIn(ctx, "elasticfilesystem", resource);

export const efsCsi: PresetDefinition = {
  name: "efs-csi",
  code: "EfsCsi",
  title: "Amazon EFS CSI driver",
  upstream: [
    {
      repository: "kubernetes-sigs/aws-efs-csi-driver",
      path: "docs/iam-policy-example.json",
      commit: "a4fc67600be60d0f8350dc9459e55ff04e9aa944",
      fileCommit: "92c77936c3a543aef80fc7d6c06b5bc2457f19d1",
      blob: "01959195c326fb282d72e0502ed70e7ead371e75",
      actions: [...DESCRIBE, "elasticfilesystem:CreateAccessPoint", "elasticfilesystem:TagResource", "elasticfilesystem:DeleteAccessPoint", ...S3_FILES].sort(),
    },
  ],
  notGranted: Object.fromEntries(S3_FILES.map((a) => [a, "the driver's S3 Files volumes (2026-04): not part of this preset; add them as custom statements on your S3 file systems"])),
  serviceAccount: { namespace: "kube-system", name: "efs-csi-controller-sa", chart: "aws-efs-csi-driver/aws-efs-csi-driver", annotationsValue: "controller.serviceAccount.annotations" },
  required: ["fileSystemIds"],
  optional: [],
  statements: (ctx): PresetStatement[] => [
    { sid: "Describe", actions: DESCRIBE, resources: ["*"], residual: "read-only: file systems, mount targets, access points and zones, listed as dynamic provisioning finds them" },
    {
      sid: "CreateAccessPoints",
      actions: ["elasticfilesystem:CreateAccessPoint"],
      resources: ctx.fileSystemIds.map((id) => efs(ctx, `file-system/${id}`)),
      conditions: { StringLike: { [`aws:RequestTag/${TAG}`]: "true" } },
    },
    {
      sid: "TagAccessPoints",
      actions: ["elasticfilesystem:TagResource"],
      resources: [efs(ctx, "access-point/*")],
      conditions: { StringLike: { [`aws:ResourceTag/${TAG}`]: "true" } },
      residual: `tags only access points carrying the ${TAG} tag; access point ids are chosen by EFS`,
    },
    {
      sid: "DeleteAccessPoints",
      actions: ["elasticfilesystem:DeleteAccessPoint"],
      resources: [efs(ctx, "access-point/*")],
      conditions: { StringEquals: { [`aws:ResourceTag/${TAG}`]: "true" } },
      residual: `deletes only access points carrying the ${TAG} tag; access point ids are chosen by EFS`,
    },
  ],
  probes: (ctx): PresetProbe[] => {
    const ap = efs(ctx, "access-point/fsap-0123456789abcdef0");
    return [
      { label: "CreateAccessPoint in a listed file system", action: "elasticfilesystem:CreateAccessPoint", resource: efs(ctx, `file-system/${ctx.fileSystemIds[0]}`), context: { [`aws:RequestTag/${TAG}`]: "true" }, expect: "Allowed" },
      { label: "CreateAccessPoint in another file system", action: "elasticfilesystem:CreateAccessPoint", resource: efs(ctx, "file-system/fs-0ther000"), context: { [`aws:RequestTag/${TAG}`]: "true" }, expect: "Denied" },
      { label: "CreateAccessPoint without the driver's tag", action: "elasticfilesystem:CreateAccessPoint", resource: efs(ctx, `file-system/${ctx.fileSystemIds[0]}`), expect: "Denied" },
      { label: "DeleteAccessPoint of a driver access point", action: "elasticfilesystem:DeleteAccessPoint", resource: ap, context: { [`aws:ResourceTag/${TAG}`]: "true" }, expect: "Allowed" },
      { label: "DeleteAccessPoint of an untagged access point", action: "elasticfilesystem:DeleteAccessPoint", resource: ap, expect: "Denied" },
    ];
  },
};
