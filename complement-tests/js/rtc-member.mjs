// One MatrixRTC participant (user A) of the real matrix-js-sdk: it joins the call in a room it is already
// joined to and keeps its delayed leave alive until it is killed. Started (and SIGKILLed) by rtc-call.mjs.
//
// Input, one JSON object on standard input:
//   {"baseUrl": "...", "user": {"userId", "accessToken", "deviceId"}, "roomId": "!r:hs", "mode": "legacy" | "sticky",
//    "delayMs": 6000, "restartMs": 2000, "timeoutMs": 20000, "livekitServiceUrl": "https://..."}
//
// Output: one JSON line on stdout per thing that happened: {"event":"joinCalled"}, {"event":"status","status":...},
// {"event":"delayId","delayId":...}, {"event":"members","members":["@u:hs|DEVICE", ...]} each time the call's members
// change as this client sees them, and {"event":"failed","error":...} (then exit code 1). It never exits on its own
// after a successful join: only a kill ends it, which is the point.

import { makeClient, makeLog, readJsonStdin, rtc, sdk, startAndWaitForFirstSync, waitFor, checkUser } from "./harness.mjs";
import { callMembers } from "./rtc-lib.mjs";

const { ClientEvent, RoomEvent } = sdk;
const { MatrixRTCSessionEvent, MembershipManagerEvent } = rtc;
const log = makeLog("rtc-member");

function emit(line) {
    process.stdout.write(JSON.stringify(line) + "\n");
}

async function main() {
    const input = await readJsonStdin();
    checkUser(input.user, "user");
    const timeoutMs = Number(input.timeoutMs ?? 20000);
    const client = makeClient("A", input.baseUrl, input.user, log);
    await startAndWaitForFirstSync(client, timeoutMs);
    const room = await waitFor(`A's sync to show room ${input.roomId} as joined`, timeoutMs, client,
        [ClientEvent.Room, RoomEvent.MyMembership], () => {
            const r = client.getRoom(input.roomId);
            return r?.getMyMembership() === "join" && r;
        });
    const session = client.matrixRTC.getRoomSession(room);
    session.on(MembershipManagerEvent.StatusChanged, (previous, status) => emit({ event: "status", status: String(status) }));
    session.on(MembershipManagerEvent.DelayIdChanged, (delayId) => emit({ event: "delayId", delayId: delayId ?? null }));
    const members = () => emit({ event: "members", members: callMembers(session) });
    session.on(MatrixRTCSessionEvent.MembershipsChanged, members);
    members();
    session.on(MatrixRTCSessionEvent.MembershipManagerError, (error) => {
        emit({ event: "failed", error: `MembershipManagerError: ${error?.message ?? error}` });
        process.exit(1);
    });
    const config = {
        delayedLeaveEventDelayMs: Number(input.delayMs),
        delayedLeaveEventRestartMs: Number(input.restartMs),
        manageMediaKeys: false,
    };
    const transport = { type: "livekit", livekit_service_url: input.livekitServiceUrl };
    if (input.mode === "sticky") {
        session.joinRoomSession([], transport, { ...config, unstableSendStickyEvents: true });
    } else if (input.mode === "legacy") {
        session.joinRoomSession([{ ...transport, livekit_alias: input.roomId }], undefined, config);
    } else {
        throw new Error(`input: mode must be legacy or sticky, not ${input.mode}`);
    }
    emit({ event: "joinCalled" });
}

try {
    await main();
} catch (e) {
    process.stderr.write(`rtc-member: FAILED: ${e?.stack ?? e}\n`);
    emit({ event: "failed", error: e?.message ?? String(e) });
    process.exit(1);
}
