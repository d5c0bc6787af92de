/**
 * Cluster Autoscaler: upstream `cluster-autoscaler/cloudprovider/aws/README.md` ("Full Cluster Autoscaler Features
 * Policy"), with the scaling actions limited to Auto Scaling groups carrying this cluster's auto-discovery tags, as
 * the README recommends (upstream's example: `*`), and `eks:DescribeNodegroup` to this cluster's node groups.
 */
import { arnIn, type PresetContext, type PresetDefinition, type PresetProbe, type PresetStatement } from "./preset";

const DESCRIBE = [
  "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeLaunchConfigurations",
  "autoscaling:DescribeScalingActivities", "ec2:DescribeImages", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplateVersions",
  "ec2:GetInstanceTypesFromInstanceRequirements",
];
const SCALE = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"];
const discovery = (ctx: PresetContext) => ({ Null: { "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "false", [`aws:ResourceTag/k8s.io/cluster-autoscaler/${ctx.clusterName}`]: "false" } });

export const clusterAutoscaler: PresetDefinition = {
  name: "cluster-autoscaler",
  code: "ClusterAutoscaler",
  title: "Cluster Autoscaler",
  upstream: [
    {
      repository: "kubernetes/autoscaler",
      path: "cluster-autoscaler/cloudprovider/aws/README.md",
      commit: "55c37cd5eb550756c5ccc5a89e9068d77797e575",
      fileCommit: "96b85541a2f02de11a6421357ed65e0de5f72b9e",
      blob: "4fbd462d9e0db06933ce1de2a9bc577cacbe4015",
      actions: [...DESCRIBE, ...SCALE, "eks:DescribeNodegroup"].sort(),
    },
  ],
  notGranted: {},
  serviceAccount: {
    namespace: "kube-system",
    name: "cluster-autoscaler-aws-cluster-autoscaler",
    chart: "autoscaler/cluster-autoscaler",
    annotationsValue: "rbac.serviceAccount.annotations",
    alsoSet: ["autoDiscovery.clusterName=<clusterName>", "awsRegion=<region>"],
  },
  required: ["clusterName"],
  optional: [],
  statements: (ctx): PresetStatement[] => [
    { sid: "Describe", actions: DESCRIBE, resources: ["*"], residual: "read-only: Auto Scaling groups, launch templates and instance types, discovered by tag; these calls accept only \"*\"" },
    { sid: "DescribeNodegroups", actions: ["eks:DescribeNodegroup"], resources: [arnIn(ctx, "eks", `nodegroup/${ctx.clusterName}/*/*`)] },
    {
      sid: "ScaleClusterGroups",
      actions: SCALE,
      resources: [arnIn(ctx, "autoscaling", "autoScalingGroup:*:autoScalingGroupName/*")],
      conditions: discovery(ctx),
      residual: "scales only Auto Scaling groups carrying the auto-discovery tags k8s.io/cluster-autoscaler/enabled and k8s.io/cluster-autoscaler/<cluster name>",
    },
  ],
  probes: (ctx): PresetProbe[] => {
    const asg = arnIn(ctx, "autoscaling", "autoScalingGroup:0f4f3e1a-8f40-4b4c-9d5e-1b2c3d4e5f60:autoScalingGroupName/eks-workers-1");
    const tags = (cluster: string) => ({ "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true", [`aws:ResourceTag/k8s.io/cluster-autoscaler/${cluster}`]: "owned" });
    return [
      { label: "DescribeAutoScalingGroups (auto-discovery)", action: "autoscaling:DescribeAutoScalingGroups", resource: "*", expect: "Allowed" },
      { label: "SetDesiredCapacity of this cluster's group", action: "autoscaling:SetDesiredCapacity", resource: asg, context: tags(ctx.clusterName), expect: "Allowed" },
      { label: "TerminateInstanceInAutoScalingGroup of this cluster's group", action: "autoscaling:TerminateInstanceInAutoScalingGroup", resource: asg, context: tags(ctx.clusterName), expect: "Allowed" },
      { label: "SetDesiredCapacity of another cluster's group", action: "autoscaling:SetDesiredCapacity", resource: asg, context: tags("another-cluster"), expect: "Denied" },
      { label: "SetDesiredCapacity of an untagged group", action: "autoscaling:SetDesiredCapacity", resource: asg, expect: "Denied" },
      { label: "DescribeNodegroup of another cluster", action: "eks:DescribeNodegroup", resource: arnIn(ctx, "eks", "nodegroup/another-cluster/workers/1a2b3c4d"), expect: "Denied" },
    ];
  },
};
