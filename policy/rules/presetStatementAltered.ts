import { presetStatementMatch } from "../../core/presets";
import { eachPermissionStatement } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

/**
 * A statement named as an add-on preset's (Sid `EksIrsa<preset><statement>`) must be what that preset registers: no
 * action or resource beyond it, none of its conditions dropped or widened. The residual `*` statements of a preset
 * are accepted by permissions-restrictable-action-on-any-resource only on these terms, so a Sid cannot smuggle a broad
 * grant past it.
 */
export const presetStatementAltered: ResourceRule = {
  kind: "resource",
  name: "preset-statement-altered",
  description: "A statement carrying an eks-irsa preset's Sid (EksIrsa<preset>...) must be the preset's statement: no other action or resource, none of its conditions dropped or widened.",
  enforcementLevel: "mandatory",
  defaults: {},
  check({ type, props }) {
    return eachPermissionStatement(type, props, (s, where) => {
      const match = presetStatementMatch(s);
      return match?.mismatch ? [`${where}: ${s.Sid} is preset ${match.preset}'s statement, but ${match.mismatch}`] : [];
    });
  },
};

export const policy = toPolicy(presetStatementAltered);
