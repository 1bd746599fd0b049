// Drives a running LearnLoop LRS with the @xapi/xapi client library (npm).
// Usage: LRS_ENDPOINT=http://127.0.0.1:PORT/xapi/ LRS_KEY=... LRS_SECRET=... node lrs_client.mjs
// Prints one JSON line with what it saw; exits non-zero when the LRS misbehaves.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import XAPI from "@xapi/xapi";

const endpoint = process.env.LRS_ENDPOINT;
const auth = XAPI.toBasicAuth(process.env.LRS_KEY, process.env.LRS_SECRET);
const xapi = new XAPI({ endpoint, auth, version: "1.0.3" });

const learner = { objectType: "Agent", name: "Node Learner", mbox: `mailto:node-${randomUUID()}@example.com` };
const verb = XAPI.Verbs.COMPLETED;
const activity = `http://example.com/activities/${randomUUID()}`;
const registration = randomUUID();

function makeStatement(index) {
  return {
    actor: learner,
    verb,
    object: { objectType: "Activity", id: activity, definition: { name: { "en-US": `Quiz ${index}` } } },
    result: { score: { scaled: index / 10 }, completion: true, duration: `PT${index}S` },
    context: { registration },
  };
}

const about = await xapi.getAbout();
assert.ok(about.data.version.includes("1.0.3"));

// Send one statement, then a batch.
const single = await xapi.sendStatement({ statement: makeStatement(0) });
const firstId = single.data[0];
assert.equal(single.headers["x-experience-api-version"], "1.0.3");
const batch = await xapi.sendStatements({ statements: [1, 2, 3, 4, 5].map(makeStatement) });
const sentIds = [firstId, ...batch.data];
assert.equal(sentIds.length, 6);

// Fetch one back.
const fetched = await xapi.getStatement({ statementId: firstId });
assert.equal(fetched.data.id, firstId);
assert.deepEqual(fetched.data.actor, learner);
assert.ok(fetched.data.stored);

// Query with agent + verb + activity and page through with the "more" links.
let page = await xapi.getStatements({ agent: learner, verb: verb.id, activity, limit: 2 });
const seen = page.data.statements.map((s) => s.id);
let pages = 1;
// A statement arriving mid-paging must not shift the pages being read.
await xapi.sendStatement({ statement: makeStatement(9) });
while (page.data.more) {
  page = await xapi.getMoreStatements({ more: page.data.more });
  seen.push(...page.data.statements.map((s) => s.id));
  pages += 1;
}
assert.equal(pages, 3);
assert.deepEqual([...seen].sort(), [...sentIds].sort());

const byRegistration = await xapi.getStatements({ registration, limit: 0 });
assert.equal(byRegistration.data.statements.length, 7);

// Void the first statement.
const voiding = await xapi.voidStatement({ actor: learner, statementId: firstId });
const voidingId = voiding.data[0];
const voided = await xapi.getVoidedStatement({ voidedStatementId: firstId });
assert.equal(voided.data.id, firstId);
let notFound = 0;
try {
  await xapi.getStatement({ statementId: firstId });
} catch (error) {
  notFound = error.status ?? error.response?.status ?? -1;
}
assert.equal(notFound, 404);
const afterVoid = await xapi.getStatements({ agent: learner, verb: verb.id, activity, limit: 0 });
const afterIds = afterVoid.data.statements.map((s) => s.id);
assert.ok(!afterIds.includes(firstId));
// Six completed statements remain, and the voiding statement matches through its
// StatementRef to a statement that meets the filter (xAPI-Communication 2.1.3).
assert.equal(afterIds.length, 7);
assert.ok(afterIds.includes(voidingId));

// The voiding statement itself cannot be voided.
let refused = 0;
try {
  await xapi.voidStatement({ actor: learner, statementId: voidingId });
} catch (error) {
  refused = error.status ?? error.response?.status ?? -1;
}
assert.equal(refused, 400);

console.log(JSON.stringify({ sent: sentIds.length, pages, voided: firstId, voiding: voidingId }));
