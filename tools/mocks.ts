/**
 * Mock provider answers that look like AWS's and EKS's: ARNs in the stack's partition, region and account,
 * the issuer from config (or an EKS-shaped one for a cluster still to be created), ids as the providers form them.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { issuerHostPath } from "../core/arn";
import { dnsSuffix, partitionOfRegion, type Partition } from "../core/environment";
import { execKubeconfig } from "../stacks/cluster";

export interface MockFacts {
  region: string;
  accountId: string;
  /** Issuer of an existing cluster, when config gives it. */
  issuerUrl?: string;
}

const hex = (s: string, n: number) => createHash("sha256").update(s).digest("hex").slice(0, n);

/** An EKS-shaped issuer for a cluster name: `https://oidc.eks.<region>.<suffix>/id/<32 upper hex>`. */
export function eksIssuerFor(name: string, region: string): string {
  return `https://oidc.eks.${region}.${dnsSuffix(partitionOfRegion(region))}/id/${hex(`issuer:${name}`, 32).toUpperCase()}`;
}

export class RealisticMocks implements pulumi.runtime.Mocks {
  readonly partition: Partition;

  constructor(private readonly facts: MockFacts) {
    this.partition = partitionOfRegion(facts.region);
  }

  /** Accounts of explicit AWS providers (cross-account targets), by provider id. */
  private readonly providerAccounts = new Map<string, string>();

  /** The account a resource lands in: its provider's (`allowedAccountIds`), else the stack's. */
  private accountOf(args: { provider?: string }): string {
    const id = args.provider ? args.provider.slice(args.provider.lastIndexOf("::") + 2) : undefined;
    return (id && this.providerAccounts.get(id)) ?? this.facts.accountId;
  }

  private iamArn(args: { provider?: string }, kind: string, path: string | undefined, name: string): string {
    return `arn:${this.partition}:iam::${this.accountOf(args)}:${kind}${path ?? "/"}${name}`;
  }

  private issuerOf(clusterName: string): string {
    return this.facts.issuerUrl ?? eksIssuerFor(clusterName, this.facts.region);
  }

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    const i = args.inputs as Record<string, any>;
    const { region } = this.facts;
    switch (args.type) {
      case "aws:iam/role:Role": {
        const name = i.name ?? args.name;
        return { id: name, state: { ...i, name, arn: this.iamArn(args, "role", i.path, name), uniqueId: `AROA${hex(name, 17).toUpperCase()}`, createDate: "2026-01-01T00:00:00Z" } };
      }
      case "aws:iam/policy:Policy": {
        const name = i.name ?? args.name;
        const arn = this.iamArn(args, "policy", i.path, name);
        return { id: arn, state: { ...i, name, arn, policyId: `ANPA${hex(name, 17).toUpperCase()}`, attachmentCount: 1 } };
      }
      case "aws:iam/rolePolicy:RolePolicy":
        return { id: `${i.role}:${i.name ?? args.name}`, state: i };
      case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
        return { id: `${i.role}-${hex(String(i.policyArn), 8)}`, state: i };
      case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        const arn = `arn:${this.partition}:iam::${this.accountOf(args)}:oidc-provider/${issuerHostPath(String(i.url))}`;
        return { id: arn, state: { ...i, arn, thumbprintLists: i.thumbprintLists ?? [] } };
      }
      case "eks:index:Cluster": {
        const name = i.name ?? args.name;
        const issuer = eksIssuerFor(name, region);
        const endpoint = `https://${hex(`endpoint:${name}`, 32).toUpperCase()}.gr7.${region}.eks.${dnsSuffix(this.partition)}`;
        const kubeconfigJson = execKubeconfig(name, region, endpoint, Buffer.from(`mock CA of ${name}`).toString("base64"));
        return {
          id: name,
          state: { ...i, oidcProviderUrl: issuer, oidcIssuer: issuerHostPath(issuer), oidcProviderArn: "", kubeconfigJson, kubeconfig: JSON.parse(kubeconfigJson) },
        };
      }
      case "kubernetes:core/v1:ServiceAccount":
      case "kubernetes:core/v1:ConfigMap": {
        const md = i.metadata ?? {};
        return { id: `${md.namespace ?? "default"}/${md.name ?? args.name}`, state: { ...i, apiVersion: "v1", kind: args.type.split(":").pop()!.split("/").pop() } };
      }
      case "pulumi:providers:aws": {
        // Provider inputs arrive JSON-encoded when nested.
        const allowed = typeof i.allowedAccountIds === "string" ? (JSON.parse(i.allowedAccountIds) as string[]) : (i.allowedAccountIds as string[] | undefined);
        const id = `${args.name}-provider-id`;
        if (allowed?.[0]) this.providerAccounts.set(id, allowed[0]);
        return { id, state: i };
      }
      case "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
        // As EKS forms them: `a-` + 17 characters, an ARN under the cluster, an external id (a UUID) for a target role.
        const key = `${i.clusterName}/${i.namespace}/${i.serviceAccount}`;
        const associationId = `a-${hex(`association:${key}`, 17)}`;
        const h = hex(`external-id:${key}`, 32);
        return {
          id: `${i.clusterName},${associationId}`,
          state: {
            ...i,
            associationId,
            associationArn: `arn:${this.partition}:eks:${region}:${this.accountOf(args)}:podidentityassociation/${i.clusterName}/${associationId}`,
            externalId: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`,
            disableSessionTags: i.disableSessionTags ?? false,
          },
        };
      }
      case "aws:eks/addon:Addon":
        return { id: `${i.clusterName}:${i.addonName}`, state: { ...i, arn: `arn:${this.partition}:eks:${region}:${this.accountOf(args)}:addon/${i.clusterName}/${i.addonName}/${hex(String(i.addonName), 8)}` } };
      case "kubernetes:helm.sh/v3:Release":
        return { id: `${i.namespace ?? "default"}/${i.name ?? args.name}`, state: { ...i, status: { name: i.name, namespace: i.namespace, version: i.version, status: "deployed", revision: 1, chart: i.chart } } };
      case "aws:cloudwatch/metricAlarm:MetricAlarm": {
        const name = i.name ?? args.name;
        return { id: name, state: { ...i, name, arn: `arn:${this.partition}:cloudwatch:${region}:${this.accountOf(args)}:alarm:${name}` } };
      }
      case "kubernetes:core/v1:Namespace":
        return { id: i.metadata?.name ?? args.name, state: { ...i, apiVersion: "v1", kind: "Namespace" } };
      default:
        return { id: args.custom ? `${args.name}-id` : undefined, state: i };
    }
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const { region } = this.facts;
    // An explicit provider (a cross-account target's) answers for its own account.
    const accountId = this.accountOf(args);
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { accountId, arn: `arn:${this.partition}:sts::${accountId}:assumed-role/deployer/offline-plan`, userId: "AROAOFFLINEPLAN:offline-plan", id: accountId };
      case "aws:index/getPartition:getPartition":
        return { partition: this.partition, dnsSuffix: dnsSuffix(this.partition), reverseDnsPrefix: this.partition === "aws-cn" ? "cn.com.amazonaws" : "com.amazonaws", id: this.partition };
      case "aws:index/getRegion:getRegion":
        return { name: region, region, endpoint: `ec2.${region}.${dnsSuffix(this.partition)}`, id: region };
      case "aws:eks/getCluster:getCluster": {
        const name = String(args.inputs.name);
        return {
          name,
          id: name,
          arn: `arn:${this.partition}:eks:${region}:${accountId}:cluster/${name}`,
          endpoint: `https://${hex(`endpoint:${name}`, 32).toUpperCase()}.gr7.${region}.eks.${dnsSuffix(this.partition)}`,
          certificateAuthorities: [{ data: Buffer.from(`mock CA of ${name}`).toString("base64") }],
          identities: [{ oidcs: [{ issuer: this.issuerOf(name) }] }],
          status: "ACTIVE",
          version: "1.33",
        };
      }
      default:
        return args.inputs;
    }
  }
}
