// Two users, each on their own homeserver, exchange end-to-end encrypted messages through the real
// matrix-js-sdk and its Rust crypto (matrix-sdk-crypto-wasm, in memory). Everything the crypto needs
// crosses the federation: B's device keys (A's /keys/query), a one-time key (A's /keys/claim), the Olm
// to-device message carrying the Megolm session, the encrypted room event, and the same again the
// other way for B's reply. Run by FederationScenario and SynapseFederationScenario; can be run by hand.
//
// Input, one JSON object on standard input:
//   {"timeoutMs": 30000,
//    "a": {"baseUrl": "http://127.0.0.1:8008", "userId": "@a:hs1", "accessToken": "...", "deviceId": "..."},
//    "b": {"baseUrl": "http://127.0.0.1:8018", "userId": "@b:hs2", "accessToken": "...", "deviceId": "..."}}
// A creates the encrypted room on its server and invites B; B joins it over federation.
//
// Output: on success one JSON line on stdout with "ok": true, the room, both event IDs and the steps with
// their durations; exit code 0. On failure, "e2ee-pair: FAILED at step <step>: <reason>" on stderr, a JSON
// line with "ok": false on stdout, exit code 1.

import {
    SDK_VERSION, checkUser, finish, makeClient as harnessClient, makeLog, makeSteps, readJsonStdin, sdk, sleep, startAndWaitForFirstSync,
    waitFor, withTimeout,
} from "./harness.mjs";

const { ClientEvent, EventType, MsgType, RoomEvent } = sdk;

const clients = [];
const log = makeLog("e2ee-pair");
const steps = makeSteps(log);
const runStep = steps.run;


function checkInput(input) {
    for (const who of ["a", "b"]) {
        checkUser(input[who], who);
        if (typeof input[who].baseUrl !== "string" || !input[who].baseUrl) throw new Error(`input: ${who}.baseUrl missing`);
    }
}

/** A client with the Rust crypto in memory (no IndexedDB in Node). */
async function cryptoClient(name, user, timeoutMs) {
    const client = harnessClient(name, user.baseUrl, user, log);
    clients.push(client);
    await withTimeout(`${name}'s initRustCrypto`, timeoutMs, client.initRustCrypto({ useIndexedDB: false }));
    return client;
}

/** The server's view of `userId`'s devices, as `viewer`'s crypto downloads it. */
async function knownDevices(viewer, userId) {
    const devices = await viewer.getCrypto().getUserDeviceInfo([userId], true);
    return devices.get(userId) ?? new Map();
}

/** Resolves once the async `check()` answers true, asking every 500 ms; rejects after `timeoutMs`. */
async function poll(what, timeoutMs, check) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await withTimeout(what, timeoutMs, check())) return;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(500);
    }
}

/**
 * Waits until `viewer` has decrypted event `eventId` in `roomId` and returns it. A decryption failure is
 * waited out (the SDK retries when the room key arrives late); at the timeout the error names the last one.
 */
async function awaitDecrypted(viewer, roomId, eventId, timeoutMs) {
    let last = "not in the timeline yet";
    try {
        return await waitFor(`${viewer.callhsName} to decrypt ${eventId}`, timeoutMs, viewer, [RoomEvent.Timeline], () => {
            const event = viewer.getRoom(roomId)?.findEventById(eventId);
            if (!event) return null;
            if (event.isDecryptionFailure()) {
                last = `decryption failure ${event.decryptionFailureReason}`;
                return null;
            }
            if (event.isBeingDecrypted() || event.getClearContent() === null) {
                last = "not decrypted yet";
                return null;
            }
            return event;
        });
    } catch (e) {
        throw new Error(`${e.message} (last: ${last})`);
    }
}

function checkDecrypted(event, sender, body, who) {
    if (!event.isEncrypted()) throw new Error(`${who} received ${event.getId()} unencrypted: ${JSON.stringify(event.event)}`);
    if (event.getWireType() !== EventType.RoomMessageEncrypted) throw new Error(`${who}: wire type ${event.getWireType()}`);
    if (event.getType() !== EventType.RoomMessage || event.getSender() !== sender || event.getContent().body !== body) {
        throw new Error(`${who} decrypted ${JSON.stringify({ type: event.getType(), sender: event.getSender(), content: event.getContent() })}`);
    }
    const algorithm = event.getWireContent().algorithm;
    if (algorithm !== "m.megolm.v1.aes-sha2") throw new Error(`${who}: algorithm ${algorithm}`);
}

async function main() {
    const input = await readJsonStdin();
    checkInput(input);
    const timeoutMs = Number(input.timeoutMs ?? 30000);
    const { a: userA, b: userB } = input;
    const nonce = Math.random().toString(36).slice(2, 10);

    const [a, b] = await runStep("initCrypto", () =>
        Promise.all([cryptoClient("A", userA, timeoutMs), cryptoClient("B", userB, timeoutMs)]));

    await runStep("startClients", () =>
        Promise.all([startAndWaitForFirstSync(a, timeoutMs), startAndWaitForFirstSync(b, timeoutMs)]));

    // Each side sees the other's device (uploaded by its own client at start-up) through its own server.
    await runStep("deviceKeysAcrossServers", () => Promise.all([[a, userB], [b, userA]].map(([viewer, other]) =>
        poll(`${viewer.callhsName} to download ${other.userId}'s device ${other.deviceId}`, timeoutMs,
            async () => (await knownDevices(viewer, other.userId)).has(other.deviceId)))));

    const roomId = await runStep("createEncryptedRoom", async () => {
        const res = await withTimeout("createRoom", timeoutMs, a.createRoom({
            preset: "private_chat",
            invite: [userB.userId],
            name: `e2ee ${nonce}`,
            initial_state: [{ type: EventType.RoomEncryption, state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
        }));
        if (!res?.room_id?.startsWith("!")) throw new Error(`createRoom answered ${JSON.stringify(res)}`);
        await waitFor(`A's sync to show ${res.room_id} as encrypted`, timeoutMs, a, [ClientEvent.Room, RoomEvent.Timeline],
            () => a.getRoom(res.room_id)?.hasEncryptionStateEvent());
        return res.room_id;
    });

    await runStep("joinOverFederation", async () => {
        await waitFor(`B's sync to show the invite to ${roomId}`, timeoutMs, b, [ClientEvent.Room, RoomEvent.MyMembership],
            () => b.getRoom(roomId)?.getMyMembership() === "invite");
        await withTimeout("B's joinRoom", timeoutMs, b.joinRoom(roomId));
        await waitFor(`B's sync to show ${roomId} joined and encrypted`, timeoutMs, b, [ClientEvent.Room, RoomEvent.Timeline],
            () => b.getRoom(roomId)?.getMyMembership() === "join" && b.getRoom(roomId).hasEncryptionStateEvent());
        await waitFor(`A's sync to show B's join`, timeoutMs, a, [RoomEvent.Timeline],
            () => a.getRoom(roomId)?.getMember(userB.userId)?.membership === "join");
    });

    const body = `secret from A ${nonce}`;
    const messageId = await runStep("encryptedAtoB", async () => {
        const { event_id: eventId } = await withTimeout("A's sendMessage", timeoutMs,
            a.sendMessage(roomId, { msgtype: MsgType.Text, body }));
        checkDecrypted(await awaitDecrypted(b, roomId, eventId, timeoutMs), userA.userId, body, "B");
        return eventId;
    });

    const reply = `secret from B ${nonce}`;
    const replyId = await runStep("encryptedBtoA", async () => {
        const { event_id: eventId } = await withTimeout("B's sendMessage", timeoutMs,
            b.sendMessage(roomId, { msgtype: MsgType.Text, body: reply }));
        checkDecrypted(await awaitDecrypted(a, roomId, eventId, timeoutMs), userB.userId, reply, "A");
        return eventId;
    });

    return { roomId, messageId, replyId, nonce };
}

const started = Date.now();
let exitCode = 0;
let summary;
try {
    const result = await main();
    summary = { ok: true, sdkVersion: SDK_VERSION, ...result, steps: steps.took, tookMs: Date.now() - started };
} catch (e) {
    exitCode = 1;
    process.stderr.write(`e2ee-pair: FAILED at step ${steps.current}: ${e?.stack ?? e}\n`);
    summary = { ok: false, sdkVersion: SDK_VERSION, step: steps.current, error: String(e?.message ?? e), steps: steps.took, tookMs: Date.now() - started };
} finally {
    for (const client of clients) {
        try {
            client.stopClient();
        } catch {
            // stopping is best effort
        }
    }
}
finish(summary, exitCode);
