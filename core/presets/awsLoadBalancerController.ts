/**
 * AWS Load Balancer Controller: upstream `docs/install/iam_policy.json`, tightened as its install guide recommends
 * (`ec2:Vpc` on the security-group rule edits it calls permissive) and with every tag guard pinned to this cluster's
 * `elbv2.k8s.aws/cluster` value (upstream only checks that the tag exists, so one cluster's controller may change
 * another's load balancers and security groups in the same account).
 */
import { arnIn, type PresetContext, type PresetDefinition, type PresetProbe, type PresetStatement } from "./preset";

const TAG = "elbv2.k8s.aws/cluster";

const DESCRIBE = [
  "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones", "ec2:DescribeInternetGateways", "ec2:DescribeVpcs",
  "ec2:DescribeVpcPeeringConnections", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeTags", "ec2:GetCoipPoolUsage", "ec2:DescribeCoipPools", "ec2:DescribeIpamPools", "ec2:DescribeRouteTables",
  "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeListeners",
  "elasticloadbalancing:DescribeListenerCertificates", "elasticloadbalancing:DescribeSSLPolicies", "elasticloadbalancing:DescribeRules",
  "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth",
  "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTrustStores", "elasticloadbalancing:DescribeListenerAttributes",
  "elasticloadbalancing:DescribeCapacityReservation",
];
const INTEGRATIONS_READ = [
  "cognito-idp:DescribeUserPoolClient", "acm:ListCertificates", "acm:DescribeCertificate", "iam:ListServerCertificates", "iam:GetServerCertificate",
  "waf-regional:GetWebACL", "waf-regional:GetWebACLForResource", "wafv2:GetWebACL", "wafv2:GetWebACLForResource", "shield:GetSubscriptionState",
  "shield:DescribeProtection",
];
const INTEGRATIONS_WRITE = ["waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL", "shield:CreateProtection", "shield:DeleteProtection"];
const MODIFY_TAGGED = [
  "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType", "elasticloadbalancing:SetSecurityGroups",
  "elasticloadbalancing:SetSubnets", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
  "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:ModifyListenerAttributes",
  "elasticloadbalancing:ModifyCapacityReservation", "elasticloadbalancing:ModifyIpPools",
];
const LISTENERS = ["elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule"];
const LISTENER_SETTINGS = [
  "elasticloadbalancing:SetWebAcl", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:AddListenerCertificates",
  "elasticloadbalancing:RemoveListenerCertificates", "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities",
];

const elb = (ctx: PresetContext, resource: string) => arnIn(ctx, "elasticloadbalancing", resource);
const ec2 = (ctx: PresetContext, resource: string) => arnIn(ctx, "ec2", resource);
const vpc = (ctx: PresetContext) => ec2(ctx, `vpc/${ctx.vpcId}`);
const balancers = (ctx: PresetContext) => [elb(ctx, "targetgroup/*/*"), elb(ctx, "loadbalancer/net/*/*"), elb(ctx, "loadbalancer/app/*/*")];

export const awsLoadBalancerController: PresetDefinition = {
  name: "aws-load-balancer-controller",
  code: "Lbc",
  title: "AWS Load Balancer Controller",
  upstream: [
    {
      repository: "kubernetes-sigs/aws-load-balancer-controller",
      path: "docs/install/iam_policy.json",
      commit: "225f44568848eb25f13e304a5f1cc68c0cd9415d",
      fileCommit: "2f6ce5cfc51a28257cf2710873c437257d1ef605",
      blob: "761d0e733c41089c91ea009dd29faf71918085e5",
      actions: [
        ...DESCRIBE, "ec2:GetSecurityGroupsForVpc", ...INTEGRATIONS_READ, ...INTEGRATIONS_WRITE, ...MODIFY_TAGGED, ...LISTENERS, ...LISTENER_SETTINGS,
        "iam:CreateServiceLinkedRole", "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup",
        "ec2:CreateTags", "ec2:DeleteTags", "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:AddTags",
        "elasticloadbalancing:RemoveTags", "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets",
      ].sort(),
    },
  ],
  notGranted: {},
  serviceAccount: {
    namespace: "kube-system",
    name: "aws-load-balancer-controller",
    chart: "eks/aws-load-balancer-controller",
    annotationsValue: "serviceAccount.annotations",
    alsoSet: ["clusterName=<clusterName>", "vpcId=<vpcId>"],
  },
  required: ["clusterName", "vpcId"],
  optional: [],
  globalServices: ["iam"],
  statements: (ctx): PresetStatement[] => [
    {
      sid: "ServiceLinkedRole",
      actions: ["iam:CreateServiceLinkedRole"],
      resources: [`arn:${ctx.env.partition}:iam::${ctx.env.accountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`],
      conditions: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
    },
    { sid: "Describe", actions: DESCRIBE, resources: ["*"], residual: "read-only discovery of subnets, security groups, instances and its own load balancers; most of these calls accept only \"*\", the others read what it finds at run time" },
    { sid: "SecurityGroupsForVpc", actions: ["ec2:GetSecurityGroupsForVpc"], resources: [vpc(ctx)] },
    {
      sid: "Integrations",
      actions: INTEGRATIONS_READ,
      resources: ["*"],
      residual: "certificates, Cognito user pools and WAF web ACLs are named by Ingress annotations at run time; reading them is not scoped upstream",
    },
    {
      sid: "WafShield",
      actions: INTEGRATIONS_WRITE,
      resources: ["*"],
      residual: "WAF and Shield associations name a web ACL or protection chosen by an annotation at run time; neither service evaluates the load balancer's cluster tag",
    },
    {
      sid: "IngressRulesInVpc",
      actions: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
      resources: [ec2(ctx, "security-group/*")],
      conditions: { ArnEquals: { "ec2:Vpc": vpc(ctx) } },
      residual: "opens the nodes' and pods' security groups (which it did not create) to its load balancers: scoped to the cluster's VPC, as the install guide recommends",
    },
    {
      sid: "CreateSecurityGroup",
      actions: ["ec2:CreateSecurityGroup"],
      resources: [ec2(ctx, "security-group/*")],
      conditions: { StringEquals: { [`aws:RequestTag/${TAG}`]: ctx.clusterName } },
      residual: "a security group has no ARN before it exists: it must be created with this cluster's tag",
    },
    { sid: "CreateSecurityGroupInVpc", actions: ["ec2:CreateSecurityGroup"], resources: [vpc(ctx)] },
    {
      sid: "TagSecurityGroupOnCreate",
      actions: ["ec2:CreateTags"],
      resources: [ec2(ctx, "security-group/*")],
      conditions: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup", [`aws:RequestTag/${TAG}`]: ctx.clusterName } },
      residual: "tags a security group as it creates it, with this cluster's tag",
    },
    {
      sid: "RetagOwnSecurityGroups",
      actions: ["ec2:CreateTags", "ec2:DeleteTags"],
      resources: [ec2(ctx, "security-group/*")],
      conditions: { Null: { [`aws:RequestTag/${TAG}`]: "true" }, StringEquals: { [`aws:ResourceTag/${TAG}`]: ctx.clusterName } },
      residual: "edits the tags of this cluster's security groups, never the cluster tag itself",
    },
    {
      sid: "ManageOwnSecurityGroups",
      actions: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
      resources: [ec2(ctx, "security-group/*")],
      conditions: { StringEquals: { [`aws:ResourceTag/${TAG}`]: ctx.clusterName } },
      residual: "changes and deletes the security groups carrying this cluster's tag",
    },
    {
      sid: "CreateBalancers",
      actions: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
      resources: ["*"],
      conditions: { StringEquals: { [`aws:RequestTag/${TAG}`]: ctx.clusterName } },
      residual: "a load balancer or target group has no ARN before it exists: it must be created with this cluster's tag",
    },
    {
      sid: "ListenersAndRules",
      actions: LISTENERS,
      resources: ["*"],
      residual: "listeners and rules of the load balancers it names at run time; upstream grants them unconditioned",
    },
    {
      sid: "RetagOwnBalancers",
      actions: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      resources: balancers(ctx),
      conditions: { Null: { [`aws:RequestTag/${TAG}`]: "true" }, StringEquals: { [`aws:ResourceTag/${TAG}`]: ctx.clusterName } },
      residual: "edits the tags of this cluster's load balancers and target groups, never the cluster tag itself",
    },
    {
      sid: "TagListenersAndRules",
      actions: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      resources: [elb(ctx, "listener/net/*/*/*"), elb(ctx, "listener/app/*/*/*"), elb(ctx, "listener-rule/net/*/*/*"), elb(ctx, "listener-rule/app/*/*/*")],
      residual: "tags the listeners and rules it creates; upstream grants it unconditioned",
    },
    {
      sid: "ManageOwnBalancers",
      actions: MODIFY_TAGGED,
      resources: ["*"],
      conditions: { StringEquals: { [`aws:ResourceTag/${TAG}`]: ctx.clusterName } },
      residual: "changes and deletes the load balancers and target groups carrying this cluster's tag",
    },
    {
      sid: "TagBalancersOnCreate",
      actions: ["elasticloadbalancing:AddTags"],
      resources: balancers(ctx),
      conditions: {
        StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"], [`aws:RequestTag/${TAG}`]: ctx.clusterName },
      },
      residual: "tags a load balancer or target group as it creates it, with this cluster's tag",
    },
    {
      sid: "RegisterTargets",
      actions: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
      resources: [elb(ctx, "targetgroup/*/*")],
      residual: "TargetGroupBinding registers pods in target groups made outside the controller, which carry no cluster tag",
    },
    {
      sid: "ListenerSettings",
      actions: LISTENER_SETTINGS,
      resources: ["*"],
      residual: "listener certificates, rules and web ACLs of the load balancers it names at run time; upstream grants them unconditioned",
    },
  ],
  probes: (ctx): PresetProbe[] => {
    const sg = ec2(ctx, "security-group/sg-0123456789abcdef0");
    const lb = elb(ctx, "loadbalancer/app/k8s-shop-web/50dc6c495c0c9188");
    const other = "another-cluster";
    const mine = { [`aws:ResourceTag/${TAG}`]: ctx.clusterName };
    return [
      { label: "DescribeSubnets (subnet discovery)", action: "ec2:DescribeSubnets", resource: "*", expect: "Allowed" },
      { label: "CreateSecurityGroup tagged with this cluster", action: "ec2:CreateSecurityGroup", resource: ec2(ctx, "security-group/*"), context: { [`aws:RequestTag/${TAG}`]: ctx.clusterName }, expect: "Allowed" },
      { label: "CreateSecurityGroup in the cluster's VPC", action: "ec2:CreateSecurityGroup", resource: vpc(ctx), expect: "Allowed" },
      { label: "CreateSecurityGroup in another VPC", action: "ec2:CreateSecurityGroup", resource: ec2(ctx, "vpc/vpc-0ther0000000000000"), expect: "Denied" },
      { label: "CreateSecurityGroup tagged with another cluster", action: "ec2:CreateSecurityGroup", resource: ec2(ctx, "security-group/*"), context: { [`aws:RequestTag/${TAG}`]: other }, expect: "Denied" },
      { label: "AuthorizeSecurityGroupIngress on a node security group of the VPC", action: "ec2:AuthorizeSecurityGroupIngress", resource: sg, context: { "ec2:Vpc": vpc(ctx) }, expect: "Allowed" },
      { label: "AuthorizeSecurityGroupIngress in another VPC", action: "ec2:AuthorizeSecurityGroupIngress", resource: sg, context: { "ec2:Vpc": ec2(ctx, "vpc/vpc-0ther0000000000000") }, expect: "Denied" },
      { label: "DeleteSecurityGroup of this cluster", action: "ec2:DeleteSecurityGroup", resource: sg, context: mine, expect: "Allowed" },
      { label: "DeleteSecurityGroup of another cluster", action: "ec2:DeleteSecurityGroup", resource: sg, context: { [`aws:ResourceTag/${TAG}`]: other }, expect: "Denied" },
      { label: "DeleteSecurityGroup without the cluster tag", action: "ec2:DeleteSecurityGroup", resource: sg, expect: "Denied" },
      { label: "CreateLoadBalancer tagged with this cluster", action: "elasticloadbalancing:CreateLoadBalancer", resource: lb, context: { [`aws:RequestTag/${TAG}`]: ctx.clusterName }, expect: "Allowed" },
      { label: "CreateLoadBalancer tagged with another cluster", action: "elasticloadbalancing:CreateLoadBalancer", resource: lb, context: { [`aws:RequestTag/${TAG}`]: other }, expect: "Denied" },
      { label: "ModifyLoadBalancerAttributes of this cluster's load balancer", action: "elasticloadbalancing:ModifyLoadBalancerAttributes", resource: lb, context: mine, expect: "Allowed" },
      { label: "DeleteLoadBalancer of another cluster", action: "elasticloadbalancing:DeleteLoadBalancer", resource: lb, context: { [`aws:ResourceTag/${TAG}`]: other }, expect: "Denied" },
      { label: "DeleteLoadBalancer without the cluster tag", action: "elasticloadbalancing:DeleteLoadBalancer", resource: lb, expect: "Denied" },
      { label: "AddTags moving this cluster's load balancer to another cluster", action: "elasticloadbalancing:AddTags", resource: lb, context: { ...mine, [`aws:RequestTag/${TAG}`]: other }, expect: "Denied" },
      { label: "RegisterTargets (TargetGroupBinding)", action: "elasticloadbalancing:RegisterTargets", resource: elb(ctx, "targetgroup/k8s-shop-web/73e2d6bc24d8a067"), expect: "Allowed" },
    ];
  },
};
