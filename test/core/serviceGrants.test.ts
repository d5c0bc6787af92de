/** SQS, SNS and KMS grants: exactly the actions of the access asked for, on the named resource, proven with iam-simulate. */
import { strict as assert } from "node:assert";
import { Checker } from "../../core/check";
import { policyDocument, type PolicyDocument } from "../../core/document";
import { checkServiceGrants, serviceGrantStatements } from "../../core/serviceGrants";
import { ACCOUNT, decide } from "../helpers/simulate";

const ENV = { partition: "aws" as const, region: "us-east-1", accountId: ACCOUNT };
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:orders-placed`;
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:order-events`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/5d6e7f80-9a1b-4c2d-8e3f-a4b5c6d7e8f9`;
/** The default key policy: IAM policies of the key's account decide. */
const KEY_POLICY: PolicyDocument = policyDocument([{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }]);

const doc = (grants: Parameters<typeof serviceGrantStatements>[0]) => policyDocument(serviceGrantStatements(grants, ENV));

describe("SQS, SNS and KMS grants", () => {
  it("send: SendMessage and the queue's URL and attributes, no receive; another queue denied", async () => {
    const send = doc({ sqs: [{ queue: "orders-placed", access: "send" }] });
    assert.equal(await decide([send], { action: "sqs:SendMessage", resource: QUEUE }), "Allowed");
    assert.equal(await decide([send], { action: "sqs:GetQueueUrl", resource: QUEUE }), "Allowed");
    assert.equal(await decide([send], { action: "sqs:ReceiveMessage", resource: QUEUE }), "ImplicitlyDenied");
    assert.equal(await decide([send], { action: "sqs:SendMessage", resource: `${QUEUE}-dlq` }), "ImplicitlyDenied");
  });

  it("receive: Receive, Delete, ChangeMessageVisibility, no send; send-receive both", async () => {
    const receive = doc({ sqs: [{ queue: "orders-placed", access: "receive" }] });
    for (const a of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]) assert.equal(await decide([receive], { action: a, resource: QUEUE }), "Allowed", a);
    assert.equal(await decide([receive], { action: "sqs:SendMessage", resource: QUEUE }), "ImplicitlyDenied");
    assert.equal(await decide([receive], { action: "sqs:PurgeQueue", resource: QUEUE }), "ImplicitlyDenied");
    const both = doc({ sqs: [{ queue: "orders-placed", access: "send-receive" }] });
    for (const a of ["sqs:SendMessage", "sqs:ReceiveMessage"]) assert.equal(await decide([both], { action: a, resource: QUEUE }), "Allowed", a);
  });

  it("a queue's SSE-KMS key only through SQS: a producer generates data keys, a consumer decrypts", async () => {
    const send = doc({ sqs: [{ queue: "orders-placed", access: "send", kmsKeyArn: KEY }] });
    const via = { "kms:ViaService": "sqs.us-east-1.amazonaws.com" };
    assert.equal(await decide([send], { action: "kms:GenerateDataKey", resource: KEY, context: via }, KEY_POLICY), "Allowed");
    assert.equal(await decide([send], { action: "kms:GenerateDataKey", resource: KEY }, KEY_POLICY), "ImplicitlyDenied");
    const receive = doc({ sqs: [{ queue: "orders-placed", access: "receive", kmsKeyArn: KEY }] });
    assert.equal(await decide([receive], { action: "kms:GenerateDataKey", resource: KEY, context: via }, KEY_POLICY), "ImplicitlyDenied");
    assert.equal(await decide([receive], { action: "kms:Decrypt", resource: KEY, context: via }, KEY_POLICY), "Allowed");
  });

  it("SNS: Publish on the topic only", async () => {
    const publish = doc({ sns: [{ topic: "order-events" }] });
    assert.deepEqual(publish.Statement, [{ Effect: "Allow", Action: "sns:Publish", Resource: TOPIC }]);
    assert.equal(await decide([publish], { action: "sns:Publish", resource: TOPIC }), "Allowed");
    assert.equal(await decide([publish], { action: "sns:Subscribe", resource: TOPIC }), "ImplicitlyDenied");
    assert.equal(await decide([publish], { action: "sns:Publish", resource: `${TOPIC}-other` }), "ImplicitlyDenied");
  });

  it("KMS: encrypt, decrypt or both on the key, optionally only through one service", async () => {
    const encrypt = doc({ kms: [{ keyArn: KEY, access: "encrypt" }] });
    assert.equal(await decide([encrypt], { action: "kms:Encrypt", resource: KEY }, KEY_POLICY), "Allowed");
    assert.equal(await decide([encrypt], { action: "kms:Decrypt", resource: KEY }, KEY_POLICY), "ImplicitlyDenied");
    const viaS3 = doc({ kms: [{ keyArn: KEY, access: "encrypt-decrypt", viaService: "s3" }] });
    assert.equal(await decide([viaS3], { action: "kms:Decrypt", resource: KEY, context: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } }, KEY_POLICY), "Allowed");
    assert.equal(await decide([viaS3], { action: "kms:Decrypt", resource: KEY }, KEY_POLICY), "ImplicitlyDenied");
    assert.equal(await decide([viaS3], { action: "kms:Decrypt", resource: KEY.replace(/key\/.*/, "key/00000000-0000-4000-8000-000000000000"), context: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } }, KEY_POLICY), "ImplicitlyDenied");
  });

  it("names every bad field", () => {
    const c = new Checker("us-east-1");
    checkServiceGrants(c, [], {
      sqs: [{ queue: "https://sqs.us-east-1.amazonaws.com/1/q", access: "all" }],
      sns: [{ topic: "arn:aws:sns:us-east-1:1:t" }],
      kms: [{ keyArn: "arn:aws:kms:us-east-1:111122223333:alias/app", access: "decrypt", viaService: "S3" }, { access: "encrypt" }],
    });
    assert.deepEqual(c.problems.map((p) => p.path.join(".")), ["sqs.0.queue", "sqs.0.access", "sns.0.topic", "kms.0.keyArn", "kms.0.viaService", "kms.1.keyArn"]);
  });
});
