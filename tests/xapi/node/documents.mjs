// Drives the LearnLoop LRS document, agents and activities resources with the @xapi/xapi
// client library (npm): State, Activity Profile, Agent Profile, GET activities, GET agents,
// and statements with attachment data and a JWS signature (multipart/mixed).
// Usage: LRS_ENDPOINT=http://127.0.0.1:PORT/xapi/ LRS_KEY=... LRS_SECRET=... node documents.mjs
// Prints one JSON line with what it saw; exits non-zero when the LRS misbehaves.
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, randomUUID, sign } from "node:crypto";
import XAPI from "@xapi/xapi";

const endpoint = process.env.LRS_ENDPOINT;
const auth = XAPI.toBasicAuth(process.env.LRS_KEY, process.env.LRS_SECRET);
const xapi = new XAPI({ endpoint, auth, version: "1.0.3" });
const xapi2 = new XAPI({ endpoint, auth, version: "2.0.0" });
// Multipart statements go through the library's fetch adapter: with its default (axios)
// adapter in Node, the Blob body replaces the multipart Content-Type header it sets.
const xapiFetch = new XAPI({ endpoint, auth, version: "1.0.3", adapter: "fetch" });

const email = `docs-${randomUUID()}@example.com`;
const agent = { objectType: "Agent", name: "Doc Learner", mbox: `mailto:${email}` };
// The same agent written differently: other key order, no objectType, domain in capitals.
const sameAgent = { mbox: `mailto:${email.replace("example.com", "EXAMPLE.com")}`, name: "Other name" };
const activityId = `http://example.com/activities/${randomUUID()}`;
const registration = randomUUID();

async function status(promise) {
  try {
    const response = await promise;
    return response.status;
  } catch (error) {
    return error.response?.status ?? error.status ?? -1;
  }
}

const sha1 = (text) => createHash("sha1").update(text).digest("hex");
const checks = [];
const check = (name) => checks.push(name);

// --- State ---------------------------------------------------------------------------
const stateId = "bookmark";
const put = await xapi.setState({ agent, activityId, registration, stateId, state: { page: 3, seen: ["a"] } });
assert.equal(put.status, 204);
let got = await xapi.getState({ agent: sameAgent, activityId, registration, stateId });
assert.deepEqual(got.data, { page: 3, seen: ["a"] });
assert.equal(got.headers.etag, `"${sha1(JSON.stringify({ page: 3, seen: ["a"] }))}"`);
assert.ok(got.headers["last-modified"]);
check("state put/get by identity");

const merged = await xapi.createState({ agent, activityId, registration, stateId, state: { page: 4, done: true } });
assert.equal(merged.status, 204);
got = await xapi.getState({ agent, activityId, registration, stateId });
assert.deepEqual(got.data, { page: 4, seen: ["a"], done: true });
check("state post merges");

assert.equal(await status(xapi.setState({ agent, activityId, registration, stateId, state: { page: 5 }, etag: '"0000"', matchHeader: "If-Match" })), 412);
assert.equal(await status(xapi.setState({ agent, activityId, registration, stateId, state: { page: 5 }, etag: got.headers.etag, matchHeader: "If-Match" })), 204);
check("state If-Match");

await xapi.setState({ agent, activityId, registration, stateId: "notes", state: "plain text notes", contentType: "text/plain" });
const notes = await xapi.getState({ agent, activityId, registration, stateId: "notes" });
assert.equal(notes.data, "plain text notes");
assert.equal(notes.headers["content-type"], "text/plain");
check("state keeps content type");

const ids = await xapi.getStates({ agent, activityId, registration });
assert.deepEqual([...ids.data].sort(), ["bookmark", "notes"]);
const future = new Date(Date.now() + 3600_000).toISOString();
assert.deepEqual((await xapi.getStates({ agent, activityId, registration, since: future })).data, []);
assert.deepEqual((await xapi.getStates({ agent, activityId })).data, []);
check("state ids, since, registration scope");

assert.equal(await status(xapi.getState({ agent, activityId: "not an iri", stateId })), 400);
assert.equal(await status(xapi.getState({ agent: { name: "no identifier" }, activityId, stateId })), 400);
check("state bad parameters");

// xAPI 2.0: a PUT without precondition on an existing state document is a conflict.
assert.equal(await status(xapi2.setState({ agent, activityId, registration, stateId, state: { page: 9 } })), 409);
check("state 2.0 concurrency");

assert.equal((await xapi.deleteState({ agent, activityId, registration, stateId: "notes" })).status, 204);
assert.equal(await status(xapi.getState({ agent, activityId, registration, stateId: "notes" })), 404);
assert.equal((await xapi.deleteStates({ agent, activityId, registration })).status, 204);
assert.deepEqual((await xapi.getStates({ agent, activityId, registration })).data, []);
check("state delete one and all");

// --- Activity Profile -----------------------------------------------------------------
const profileId = "settings";
assert.equal((await xapi.createActivityProfile({ activityId, profileId, profile: { theme: "dark" } })).status, 204);
let profile = await xapi.getActivityProfile({ activityId, profileId });
assert.deepEqual(profile.data, { theme: "dark" });
// A PUT that claims the document is new, while it exists: refused.
assert.equal(await status(xapi.setActivityProfile({ activityId, profileId, profile: { theme: "light" }, etag: "*", matchHeader: "If-None-Match" })), 412);
assert.equal(await status(xapi.setActivityProfile({ activityId, profileId, profile: { theme: "light" }, etag: '"stale"', matchHeader: "If-Match" })), 412);
assert.equal((await xapi.setActivityProfile({ activityId, profileId, profile: { theme: "light" }, etag: profile.headers.etag, matchHeader: "If-Match" })).status, 204);
profile = await xapi.getActivityProfile({ activityId, profileId });
assert.deepEqual(profile.data, { theme: "light" });
assert.deepEqual((await xapi.getActivityProfiles({ activityId })).data, [profileId]);
assert.equal(await status(xapi.deleteActivityProfile({ activityId, profileId, etag: '"stale"' })), 412);
assert.equal((await xapi.deleteActivityProfile({ activityId, profileId, etag: profile.headers.etag })).status, 204);
assert.deepEqual((await xapi.getActivityProfiles({ activityId })).data, []);
check("activity profile");

// --- Agent Profile --------------------------------------------------------------------
assert.equal((await xapi.createAgentProfile({ agent, profileId, profile: { language: "fr" } })).status, 204);
assert.equal((await xapi.createAgentProfile({ agent: sameAgent, profileId, profile: { font: "large" } })).status, 204);
const agentProfile = await xapi.getAgentProfile({ agent, profileId });
assert.deepEqual(agentProfile.data, { language: "fr", font: "large" });
assert.deepEqual((await xapi.getAgentProfiles({ agent: sameAgent })).data, [profileId]);
assert.equal((await xapi.setAgentProfile({ agent, profileId, profile: { language: "de" }, etag: agentProfile.headers.etag, matchHeader: "If-Match" })).status, 204);
assert.deepEqual((await xapi.getAgentProfile({ agent, profileId })).data, { language: "de" });
assert.equal((await xapi.deleteAgentProfile({ agent, profileId })).status, 204);
assert.equal(await status(xapi.getAgentProfile({ agent, profileId })), 404);
check("agent profile");

// --- Activities and Agents ------------------------------------------------------------
const unknown = await xapi.getActivity({ activityId });
assert.deepEqual(unknown.data, { objectType: "Activity", id: activityId });
const base = { actor: agent, verb: XAPI.Verbs.COMPLETED };
await xapi.sendStatement({ statement: { ...base, object: { id: activityId, definition: { name: { "en-US": "Lesson" } } } } });
await xapi.sendStatement({ statement: { ...base, object: { id: activityId, definition: { name: { fr: "Leçon" }, description: { "en-US": "A lesson" } } } } });
const activity = await xapi.getActivity({ activityId });
assert.deepEqual(activity.data, {
  objectType: "Activity",
  id: activityId,
  definition: { name: { "en-US": "Lesson", fr: "Leçon" }, description: { "en-US": "A lesson" } },
});
check("activity definition merged");

const person = await xapi.getAgent({ agent });
assert.deepEqual(person.data, { objectType: "Person", name: ["Doc Learner"], mbox: [`mailto:${email}`] });
assert.equal(await status(xapi.getAgent({ agent: { objectType: "Group", mbox: `mailto:${email}` } })), 400);
check("agents person");

// --- Attachments and a signed statement (multipart/mixed) ------------------------------
const sha256 = (buffer) => createHash("sha256").update(buffer).digest("hex");
const note = Buffer.from("certificate of completion: well done");
const withAttachment = {
  id: randomUUID(),
  actor: agent,
  verb: XAPI.Verbs.COMPLETED,
  object: { id: activityId },
  attachments: [
    {
      usageType: XAPI.AttachmentUsages.CERTIFICATE_OF_COMPLETION,
      display: { "en-US": "Certificate" },
      contentType: "text/plain",
      length: note.length,
      sha2: sha256(note),
    },
  ],
};
const sent = await xapiFetch.sendStatement({ statement: withAttachment, attachments: [note] });
assert.deepEqual(sent.data, [withAttachment.id]);
const fetchedWithData = await xapi.getStatement({ statementId: withAttachment.id, attachments: true });
assert.ok(fetchedWithData.headers["content-type"].startsWith("multipart/mixed"));
assert.equal(fetchedWithData.data[0].id, withAttachment.id);
assert.equal(fetchedWithData.data[1], note.toString());
check("attachment stored and returned");

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const base64url = (buffer) => Buffer.from(buffer).toString("base64url");
function jws(payload, algorithm = "RS256") {
  const signingInput = `${base64url(JSON.stringify({ alg: algorithm }))}.${base64url(JSON.stringify(payload))}`;
  const digest = { RS256: "sha256", RS384: "sha384", RS512: "sha512" }[algorithm];
  return Buffer.from(`${signingInput}.${base64url(sign(digest, Buffer.from(signingInput), privateKey))}`);
}
function signedStatement(original, token) {
  return {
    ...original,
    attachments: [
      {
        usageType: XAPI.AttachmentUsages.SIGNATURE,
        display: { "en-US": "Signature" },
        contentType: "application/octet-stream",
        length: token.length,
        sha2: sha256(token),
      },
    ],
  };
}
const original = { id: randomUUID(), actor: agent, verb: XAPI.Verbs.PASSED, object: { id: activityId }, result: { success: true } };
const token = jws(original, "RS384");
const signedResponse = await xapiFetch.sendStatement({ statement: signedStatement(original, token), attachments: [token] });
assert.deepEqual(signedResponse.data, [original.id]);
check("signed statement accepted");

const tampered = { ...original, id: randomUUID(), result: { success: false } };
const wrongToken = jws({ ...tampered, result: { success: true } });
// The fetch adapter rejects with the response text (no status): the LRS's reason.
await assert.rejects(
  xapiFetch.sendStatement({ statement: signedStatement(tampered, wrongToken), attachments: [wrongToken] }),
  /does not match the statement received/,
);
assert.equal(await status(xapi.getStatement({ statementId: tampered.id })), 404);
check("tampered signed statement refused");

console.log(JSON.stringify({ checks }));
