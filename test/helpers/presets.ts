/** Sample inputs of every add-on preset, as a platform team would give them, for the tests and the addons stack. */
import type { AddonPreset } from "../../core/presets";

export const CLUSTER = "irsa-addons";
export const VPC = "vpc-0a1b2c3d4e5f60718";
export const ZONE = "Z0123456789ABCDEFGHIJ";
export const KEY = "arn:aws:kms:us-east-1:111122223333:key/1f2e3d4c-5b6a-4789-8abc-def012345678";

export const SAMPLE_PRESETS: AddonPreset[] = [
  { name: "aws-load-balancer-controller", clusterName: CLUSTER, vpcId: VPC },
  { name: "ebs-csi", kmsKeyArns: [KEY] },
  { name: "ebs-csi", clusterName: CLUSTER, clusterScoped: true },
  { name: "efs-csi", fileSystemIds: ["fs-0123456789abcdef0"] },
  { name: "external-dns", hostedZoneIds: [ZONE], domainFilters: ["*.shop.example.com"] },
  { name: "external-dns", hostedZoneIds: [ZONE, "Z9876543210ZYXWVUTSRQ"] },
  { name: "cert-manager", hostedZoneIds: [ZONE] },
  { name: "cluster-autoscaler", clusterName: CLUSTER },
  { name: "vpc-cni", clusterName: CLUSTER, vpcId: VPC },
  { name: "velero", bucket: "acme-velero-backups", prefix: "irsa-addons/", kmsKeyArns: [KEY] },
  { name: "velero", bucket: "acme-velero-backups" },
];
