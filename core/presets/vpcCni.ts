/**
 * Amazon VPC CNI: upstream `docs/iam-policy.md`, its "scope-down IAM policy per EKS cluster" for IPv4 (network
 * interfaces tagged with this cluster's name, subnets and security groups of its VPC, instances tagged as this
 * cluster's), with `ec2:DescribeSecurityGroups` from the generic policy and the security-group edit scoped to the VPC.
 * The plugin must know the cluster's name: set the `CLUSTER_NAME` environment variable of `aws-node`.
 */
import { arnIn, type PresetContext, type PresetDefinition, type PresetProbe, type PresetStatement } from "./preset";

const DESCRIBE = ["ec2:DescribeInstances", "ec2:DescribeTags", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeInstanceTypes", "ec2:DescribeSecurityGroups"];
const ENI = ["ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses", "ec2:AssignPrivateIpAddresses", "ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute"];
const INSTANCE = ["ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute"];
const NAME_TAG = "cluster.k8s.amazonaws.com/name";

const ec2 = (ctx: PresetContext, resource: string) => arnIn(ctx, "ec2", resource);
const inVpc = (ctx: PresetContext) => ({ ArnEquals: { "ec2:Vpc": ec2(ctx, `vpc/${ctx.vpcId}`) } });

export const vpcCni: PresetDefinition = {
  name: "vpc-cni",
  code: "VpcCni",
  title: "Amazon VPC CNI plugin",
  upstream: [
    {
      repository: "aws/amazon-vpc-cni-k8s",
      path: "docs/iam-policy.md",
      commit: "b52188387f2e2f10bf289ace929d6a63b176a4fa",
      fileCommit: "00fe9f43565036cac7e1e274223e85c9c91716ad",
      blob: "169837a16dc4fc8e8e935df3f1dc8a77a787b8b1",
      actions: [...DESCRIBE, ...ENI, "ec2:CreateTags", "ec2:CreateNetworkInterface", "ec2:AssignIpv6Addresses"].sort(),
    },
  ],
  notGranted: { "ec2:AssignIpv6Addresses": "IPv6 mode (upstream has no scope-down policy for it): add it as a custom statement on your cluster's network interfaces" },
  serviceAccount: { namespace: "kube-system", name: "aws-node", chart: "eks/aws-vpc-cni (or the EKS add-on's serviceAccountRoleArn)", annotationsValue: "serviceAccount.annotations", alsoSet: ["env.CLUSTER_NAME=<clusterName>"] },
  required: ["clusterName", "vpcId"],
  optional: [],
  statements: (ctx): PresetStatement[] => [
    { sid: "Describe", actions: DESCRIBE, resources: ["*"], residual: "read-only: instances, subnets, security groups and network interfaces; these Describe calls accept only \"*\"" },
    { sid: "TagInterfaces", actions: ["ec2:CreateTags"], resources: [ec2(ctx, "network-interface/*")], residual: "tags the network interfaces it creates; upstream's scope-down policy leaves CreateTags unconditioned" },
    {
      sid: "CreateTaggedInterfaces",
      actions: ["ec2:CreateNetworkInterface"],
      resources: [ec2(ctx, "network-interface/*")],
      conditions: { StringEquals: { [`aws:RequestTag/${NAME_TAG}`]: ctx.clusterName } },
      residual: "a network interface has no ARN before it exists: it must be created with this cluster's name tag",
    },
    {
      sid: "CreateInterfacesInVpc",
      actions: ["ec2:CreateNetworkInterface"],
      resources: [ec2(ctx, "subnet/*"), ec2(ctx, "security-group/*")],
      conditions: inVpc(ctx),
      residual: "subnets and security groups of the cluster's VPC, chosen per node and ENIConfig at run time",
    },
    {
      sid: "ManageClusterInterfaces",
      actions: ENI,
      resources: [ec2(ctx, "network-interface/*")],
      conditions: { StringEquals: { [`aws:ResourceTag/${NAME_TAG}`]: ctx.clusterName } },
      residual: "manages only network interfaces carrying this cluster's name tag",
    },
    {
      sid: "ClusterInstances",
      actions: INSTANCE,
      resources: [ec2(ctx, "instance/*")],
      conditions: { StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${ctx.clusterName}`]: "owned" } },
      residual: "attaches interfaces only to instances tagged as this cluster's nodes",
    },
    {
      sid: "SecurityGroupsInVpc",
      actions: ["ec2:ModifyNetworkInterfaceAttribute"],
      resources: [ec2(ctx, "security-group/*")],
      conditions: inVpc(ctx),
      residual: "security groups for pods are chosen at run time: scoped to the cluster's VPC (upstream leaves it on every security group)",
    },
  ],
  probes: (ctx): PresetProbe[] => {
    const eni = ec2(ctx, "network-interface/eni-0123456789abcdef0");
    const instance = ec2(ctx, "instance/i-0123456789abcdef0");
    return [
      { label: "CreateNetworkInterface tagged with this cluster", action: "ec2:CreateNetworkInterface", resource: ec2(ctx, "network-interface/*"), context: { [`aws:RequestTag/${NAME_TAG}`]: ctx.clusterName }, expect: "Allowed" },
      { label: "CreateNetworkInterface in a subnet of the VPC", action: "ec2:CreateNetworkInterface", resource: ec2(ctx, "subnet/subnet-0123456789abcdef0"), context: { "ec2:Vpc": ec2(ctx, `vpc/${ctx.vpcId}`) }, expect: "Allowed" },
      { label: "CreateNetworkInterface in a subnet of another VPC", action: "ec2:CreateNetworkInterface", resource: ec2(ctx, "subnet/subnet-0123456789abcdef0"), context: { "ec2:Vpc": ec2(ctx, "vpc/vpc-0ther0000000000000") }, expect: "Denied" },
      { label: "AssignPrivateIpAddresses on this cluster's interface", action: "ec2:AssignPrivateIpAddresses", resource: eni, context: { [`aws:ResourceTag/${NAME_TAG}`]: ctx.clusterName }, expect: "Allowed" },
      { label: "DeleteNetworkInterface of another cluster", action: "ec2:DeleteNetworkInterface", resource: eni, context: { [`aws:ResourceTag/${NAME_TAG}`]: "another-cluster" }, expect: "Denied" },
      { label: "DeleteNetworkInterface without the cluster tag", action: "ec2:DeleteNetworkInterface", resource: eni, expect: "Denied" },
      { label: "AttachNetworkInterface to this cluster's node", action: "ec2:AttachNetworkInterface", resource: instance, context: { [`aws:ResourceTag/kubernetes.io/cluster/${ctx.clusterName}`]: "owned" }, expect: "Allowed" },
      { label: "AttachNetworkInterface to another cluster's node", action: "ec2:AttachNetworkInterface", resource: instance, context: { "aws:ResourceTag/kubernetes.io/cluster/another-cluster": "owned" }, expect: "Denied" },
    ];
  },
};
