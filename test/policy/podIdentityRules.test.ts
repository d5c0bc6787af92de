import { strict as assert } from "node:assert";
import { checkResources } from "../../tools/policyCheck";
import { POD_IDENTITY_BAD_FIXTURES, POD_IDENTITY_COMPLIANT } from "../fixtures/podIdentityResources";

describe("policy pack: Pod Identity rules", () => {
  for (const [title, resources] of POD_IDENTITY_COMPLIANT) {
    it(`passes ${title}`, async () => assert.deepEqual(await checkResources(resources), []));
  }
  for (const fixture of POD_IDENTITY_BAD_FIXTURES) {
    it(`${fixture.rule} trips on ${fixture.why}, and only it`, async () => {
      const hit = new Set((await checkResources(fixture.resources)).map((f) => f.rule));
      assert.deepEqual([...hit], [fixture.rule]);
    });
  }
});
