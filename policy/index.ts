// The CrossGuard pack: `pulumi preview -s <stack> --policy-pack policy [--policy-pack-config policy/policy-config.sample.json]`.
import { PolicyPack } from "@pulumi/policy";
import { toPolicy } from "./lib/rule";
import { RULES } from "./rules";

new PolicyPack("eks-irsa", { policies: RULES.map(toPolicy) });
