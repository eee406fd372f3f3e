// Two users of one homeserver talk through the real matrix-js-sdk (the version package-lock.json pins),
// using only what the SDK gets from /sync: invite, join, messages both ways, a to-device message,
// typing and a read receipt. Run by MatrixJsSdkScenario; can be run by hand against any homeserver.
//
// Input, for two users already registered (access tokens, device IDs), either as 7 arguments:
//   node two-users.mjs BASE_URL USER_A TOKEN_A DEVICE_A USER_B TOKEN_B DEVICE_B
// or as one JSON object on standard input (no arguments; keeps tokens out of `ps`):
//   {"baseUrl": "http://127.0.0.1:8008", "timeoutMs": 20000,
//    "a": {"userId": "@a:hs", "accessToken": "...", "deviceId": "..."}, "b": {...}}
//
// Output: on success exactly one line on stdout, a JSON object with "ok": true (the SDK's own logs go
// to stderr, prefixed with the user); exit code 0. On failure, a line "two-users: FAILED at step <step>:
// <reason>" on stderr, a JSON line with "ok": false on stdout, exit code 1. Every wait has a timeout
// (timeoutMs, default 20000), and both clients are always stopped; the process then exits by itself
// (within a second of the summary line).
//
// Environment: JSSDK_LOG_LEVEL = error | warn | info (default) | debug | trace, for the SDK's logs
// (MatrixJsSdkScenario uses debug: every request with its status ends up in its log file).

import {
    SDK_VERSION, checkUser, finish, makeClient as harnessClient, makeLog, makeSteps, readJsonStdin, sdk, startAndWaitForFirstSync, waitFor,
    withTimeout,
} from "./harness.mjs";

const { EventType, MsgType, ReceiptType, RoomEvent, RoomMemberEvent, ClientEvent } = sdk;
const TO_DEVICE_TYPE = "org.callhs.test.ping";

const started = Date.now();
const clients = [];
const log = makeLog("two-users");
const steps = makeSteps(log);
const runStep = steps.run;

async function readInput() {
    const args = process.argv.slice(2);
    if (args.length === 7) {
        const [baseUrl, aUser, aToken, aDevice, bUser, bToken, bDevice] = args;
        return {
            baseUrl,
            a: { userId: aUser, accessToken: aToken, deviceId: aDevice },
            b: { userId: bUser, accessToken: bToken, deviceId: bDevice },
        };
    }
    if (args.length !== 0) throw new Error("usage: node two-users.mjs BASE_URL USER_A TOKEN_A DEVICE_A USER_B TOKEN_B DEVICE_B (or JSON on stdin)");
    return readJsonStdin();
}

function checkInput(input) {
    if (typeof input.baseUrl !== "string" || !input.baseUrl) throw new Error("input: baseUrl missing");
    checkUser(input.a, "a");
    checkUser(input.b, "b");
}


function makeClient(name, baseUrl, user) {
    const client = harnessClient(name, baseUrl, user, log);
    clients.push(client);
    return client;
}

function eventIn(client, roomId, eventId) {
    return client.getRoom(roomId)?.findEventById(eventId);
}

async function main() {
    const input = await readInput();
    checkInput(input);
    const timeoutMs = Number(input.timeoutMs ?? 20000);
    const { baseUrl, a: userA, b: userB } = input;
    const nonce = Math.random().toString(36).slice(2, 10);

    const a = makeClient("A", baseUrl, userA);
    const b = makeClient("B", baseUrl, userB);

    await runStep("startClients", () =>
        Promise.all([startAndWaitForFirstSync(a, timeoutMs), startAndWaitForFirstSync(b, timeoutMs)]));

    // A creates a private room and invites B; B sees the invite through sync and joins.
    const roomId = await runStep("createRoom", async () => {
        const res = await withTimeout("createRoom", timeoutMs, a.createRoom({
            preset: "private_chat",
            invite: [userB.userId],
            name: `js-sdk ${nonce}`,
        }));
        if (!res?.room_id?.startsWith("!")) throw new Error(`createRoom answered ${JSON.stringify(res)}`);
        await waitFor(`A's sync to show room ${res.room_id} as joined`, timeoutMs, a, [ClientEvent.Room, RoomEvent.MyMembership],
            () => a.getRoom(res.room_id)?.getMyMembership() === "join");
        return res.room_id;
    });

    await runStep("inviteSeenByB", () =>
        waitFor(`B's sync to show the invite to ${roomId}`, timeoutMs, b, [ClientEvent.Room, RoomEvent.MyMembership], () => {
            const room = b.getRoom(roomId);
            const membership = room?.getMyMembership();
            if (membership === "join") return true; // (joined already: only if something else joined B)
            return membership === "invite" && room.getMember(userB.userId)?.events.member?.getSender() === userA.userId;
        }));

    await runStep("joinRoom", async () => {
        await withTimeout("joinRoom", timeoutMs, b.joinRoom(roomId));
        await waitFor(`B's sync to show B joined to ${roomId}`, timeoutMs, b, [ClientEvent.Room, RoomEvent.MyMembership],
            () => b.getRoom(roomId)?.getMyMembership() === "join");
        await waitFor(`A's sync to show B's join in ${roomId}`, timeoutMs, a, [RoomEvent.Timeline],
            () => a.getRoom(roomId)?.getMember(userB.userId)?.membership === "join");
    });

    // Messages both ways, each received through the other side's sync as a live timeline event.
    const messageBody = `hello from A ${nonce}`;
    const messageId = await runStep("messageAtoB", async () => {
        const { event_id: eventId } = await withTimeout("A's sendMessage", timeoutMs,
            a.sendMessage(roomId, { msgtype: MsgType.Text, body: messageBody }));
        const seen = await waitFor(`B to receive A's message ${eventId} in the room timeline`, timeoutMs, b, [RoomEvent.Timeline],
            () => eventIn(b, roomId, eventId));
        if (seen.getSender() !== userA.userId || seen.getContent().body !== messageBody || seen.getType() !== EventType.RoomMessage) {
            throw new Error(`B received ${JSON.stringify(seen.event)}`);
        }
        return eventId;
    });

    const replyBody = `hello from B ${nonce}`;
    const replyId = await runStep("replyBtoA", async () => {
        const { event_id: eventId } = await withTimeout("B's sendMessage", timeoutMs, b.sendMessage(roomId, {
            "msgtype": MsgType.Text,
            "body": replyBody,
            "m.relates_to": { "m.in_reply_to": { event_id: messageId } },
        }));
        const seen = await waitFor(`A to receive B's reply ${eventId} in the room timeline`, timeoutMs, a, [RoomEvent.Timeline],
            () => eventIn(a, roomId, eventId));
        if (seen.getSender() !== userB.userId || seen.getContent().body !== replyBody
            || seen.replyEventId !== messageId) {
            throw new Error(`A received ${JSON.stringify(seen.event)}`);
        }
        return eventId;
    });

    // A to-device message from A to B's device.
    await runStep("toDeviceAtoB", async () => {
        const received = waitFor(`B to receive the to-device ${TO_DEVICE_TYPE} with nonce ${nonce}`, timeoutMs, b,
            [ClientEvent.ToDeviceEvent],
            (event) => event && event.getType() === TO_DEVICE_TYPE && event.getContent().nonce === nonce && event);
        await withTimeout("A's sendToDevice", timeoutMs, a.sendToDevice(TO_DEVICE_TYPE,
            new Map([[userB.userId, new Map([[userB.deviceId, { nonce, from_device: userA.deviceId }]])]])));
        const event = await received;
        if (event.getSender() !== userA.userId || event.getContent().from_device !== userA.deviceId) {
            throw new Error(`B received ${JSON.stringify(event.event)}`);
        }
    });

    // A types; B sees it; A stops; B sees that too.
    await runStep("typingAtoB", async () => {
        const typing = (want) => () => b.getRoom(roomId)?.getMember(userA.userId)?.typing === want;
        await withTimeout("A's sendTyping(true)", timeoutMs, a.sendTyping(roomId, true, 30000));
        await waitFor("B to see A typing", timeoutMs, b, [RoomMemberEvent.Typing], typing(true));
        await withTimeout("A's sendTyping(false)", timeoutMs, a.sendTyping(roomId, false, 30000));
        await waitFor("B to see A stop typing", timeoutMs, b, [RoomMemberEvent.Typing], typing(false));
    });

    // B sends a read receipt on A's message; A sees the m.receipt from the server (not a receipt the SDK
    // makes up for the sender of a later event, which B's reply already gave A).
    await runStep("receiptBtoA", async () => {
        const aRoom = a.getRoom(roomId);
        const receiptEvents = [];
        const collect = (event) => receiptEvents.push(event);
        aRoom.on(RoomEvent.Receipt, collect);
        try {
            await withTimeout("B's sendReadReceipt", timeoutMs, b.sendReadReceipt(eventIn(b, roomId, messageId)));
            await waitFor(`A to receive B's m.read receipt on ${messageId}`, timeoutMs, aRoom, [RoomEvent.Receipt], () =>
                receiptEvents.some((e) => e.getType() === EventType.Receipt
                    && typeof e.getContent()[messageId]?.[ReceiptType.Read]?.[userB.userId]?.ts === "number")
                && aRoom.getReadReceiptForUserId(userB.userId, true, ReceiptType.Read)?.eventId === messageId);
        } finally {
            aRoom.off(RoomEvent.Receipt, collect);
        }
    });

    steps.current = "done";
    return {
        ok: true,
        sdkVersion: SDK_VERSION,
        node: process.version,
        roomId,
        messageId,
        replyId,
        toDeviceType: TO_DEVICE_TYPE,
        nonce,
        steps: steps.took,
        totalMs: Date.now() - started,
    };
}

let exitCode = 0;
let summary;
try {
    summary = await main();
} catch (e) {
    exitCode = 1;
    const reason = e?.stack ?? String(e);
    process.stderr.write(`two-users: FAILED at step ${steps.current}: ${reason}\n`);
    summary = { ok: false, step: steps.current, error: e?.message ?? String(e), sdkVersion: SDK_VERSION, node: process.version, steps: steps.took };
} finally {
    for (const client of clients) {
        try {
            client.stopClient();
        } catch (e) {
            log(`stopClient of ${client.callhsName} failed: ${e}`);
        }
    }
}
finish(summary, exitCode);
