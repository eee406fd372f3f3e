// A MatrixRTC call split over servers, with real matrix-js-sdk clients: participant A (its own Node process,
// rtc-member.mjs, so it can be SIGKILLed) on one server, participant B on another, and user C on a third server
// that joins the room only after the call is under way. Run by FederationScenario and SynapseFederationScenario
// (RtcFederationChecks), in either membership mode (legacy: call member state events; sticky: MSC4354 sticky
// message events with MSC4140 delayed leaves).
//
// Input, one JSON object on standard input (A and B registered and joined to roomId, C registered on its server):
//   {"roomId", "mode": "legacy" | "sticky", "a"|"b"|"c": {userId, accessToken, deviceId, baseUrl},
//    "cVia": ["server name", ...], "fillers": 65, "delayMs": 6000, "restartMs": 2000, "slackMs": 4000,
//    "timeoutMs": 30000, "signalDir": "/path" (optional: the server-kill step)}
//
// Steps:
//   clientsStarted      B and C synced;
//   bothInCall          A (process) and B (here) join the call, and each sees the other;
//   aKeptAliveByRestarts after delay + restart A is still listed by B;
//   aKilledLeaveSeenByB A's process is SIGKILLed: B sees A leave no earlier than delay - restart - 500 ms and no
//                       later than delay + slack;
//   aRejoinSeenByB      A joins again;
//   fillers             B sends `fillers` messages, so the memberships are far behind the room's latest events;
//   lateServerSeesBoth  C joins the room through cVia (its server newly joins) and its session lists A and B;
//   serverOfAKilled     (with signalDir) A's process is SIGKILLed and the file signalDir/kill-a-server written: the
//                       test then kill -9s A's homeserver and starts it again 10 s later, writing the time it does
//                       (ms since the epoch) to signalDir/a-server-restarted first. B must then see A leave.
//
// Output: one JSON line on stdout, {"ok": true, "leaveAfterMs", "lateJoinSawBothMs", "leaveAfterServerRestartMs",
// "steps": {...}} or {"ok": false, "step", "error"}; exit code 0 or 1.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
    SDK_VERSION, checkUser, makeClient, makeLog, makeSteps, readJsonStdin, rtc, runMain, sdk, sleep, startAndWaitForFirstSync, waitFor,
    withTimeout,
} from "./harness.mjs";
import { callMembers, killMember, memberFailure, spawnMember } from "./rtc-lib.mjs";

const { ClientEvent, RoomEvent } = sdk;
const { MatrixRTCSessionEvent } = rtc;
const log = makeLog("rtc-federated-call");
const steps = makeSteps(log);

let member = null; // A's process
const aEvents = [];

/** A's latest report of the call's members, as it sees them. */
function aSees() {
    const reports = aEvents.filter((e) => e.event === "members");
    return reports.length ? reports[reports.length - 1].members : [];
}

async function sessionOf(client, roomId, timeoutMs) {
    const room = await waitFor(`${client.getUserId()}'s sync to show room ${roomId} as joined`, timeoutMs, client,
        [ClientEvent.Room, RoomEvent.MyMembership], () => {
            const r = client.getRoom(roomId);
            return r?.getMyMembership() === "join" && r;
        });
    return client.matrixRTC.getRoomSession(room);
}

async function main() {
    const input = await readJsonStdin();
    for (const who of ["a", "b", "c"]) {
        checkUser(input[who], who);
        if (typeof input[who].baseUrl !== "string") throw new Error(`input: ${who}.baseUrl missing`);
    }
    if (!["legacy", "sticky"].includes(input.mode)) throw new Error(`input: mode must be legacy or sticky, not ${input.mode}`);
    const timeoutMs = Number(input.timeoutMs ?? 30000);
    const delayMs = Number(input.delayMs ?? 6000);
    const restartMs = Number(input.restartMs ?? 2000);
    const slackMs = Number(input.slackMs ?? 4000);
    const aKey = `${input.a.userId}|${input.a.deviceId}`;
    const bKey = `${input.b.userId}|${input.b.deviceId}`;
    const startA = () => spawnMember("A", {
        baseUrl: input.a.baseUrl, user: input.a, roomId: input.roomId, mode: input.mode, delayMs, restartMs, timeoutMs,
    }, aEvents);

    const b = makeClient("B", input.b.baseUrl, input.b, log);
    const c = makeClient("C", input.c.baseUrl, input.c, log);
    const bSession = await steps.run("clientsStarted", async () => {
        await Promise.all([startAndWaitForFirstSync(b, timeoutMs), startAndWaitForFirstSync(c, timeoutMs)]);
        return sessionOf(b, input.roomId, timeoutMs);
    });
    const bSeesA = () => callMembers(bSession).includes(aKey);
    const untilB = (what, ms, wanted) => waitFor(what, ms, bSession, [MatrixRTCSessionEvent.MembershipsChanged], () => {
        const failure = memberFailure(aEvents);
        if (failure) throw new Error(`A failed: ${failure.error}`);
        return bSeesA() === wanted;
    });

    try {
        await steps.run("bothInCall", async () => {
            member = startA();
            const config = { delayedLeaveEventDelayMs: delayMs, delayedLeaveEventRestartMs: restartMs, manageMediaKeys: false };
            const transport = { type: "livekit", livekit_service_url: "https://livekit-jwt.invalid" };
            if (input.mode === "sticky") {
                bSession.joinRoomSession([], transport, { ...config, unstableSendStickyEvents: true });
            } else {
                bSession.joinRoomSession([{ ...transport, livekit_alias: input.roomId }], undefined, config);
            }
            await untilB("B to see A's call membership", timeoutMs, true);
            await waitFor("A to see B's call membership", timeoutMs, bSession, [], () => {
                const failure = memberFailure(aEvents);
                if (failure) throw new Error(`A failed: ${failure.error}`);
                return aSees().includes(bKey);
            });
        });
        await steps.run("aKeptAliveByRestarts", async () => {
            await sleep(delayMs + restartMs);
            if (!bSeesA()) throw new Error(`A left B's session while heartbeating (delay ${delayMs} ms, restart every ${restartMs} ms)`);
        });
        const leaveAfterMs = await steps.run("aKilledLeaveSeenByB", async () => {
            const killedAt = Date.now();
            await killMember(member);
            await untilB("B to see A's membership end after A's SIGKILL", delayMs + slackMs + 10_000, false);
            const after = Date.now() - killedAt;
            if (after > delayMs + slackMs) throw new Error(`A's leave reached B ${after} ms after the kill, over ${delayMs} + ${slackMs} ms`);
            if (after < delayMs - restartMs - 500) throw new Error(`A's leave reached B ${after} ms after the kill: before its delay ran out`);
            return after;
        });
        await steps.run("aRejoinSeenByB", async () => {
            member = startA();
            await untilB("B to see A's call membership again after rejoining", timeoutMs, true);
        });
        await steps.run("fillers", async () => {
            for (let i = 0; i < Number(input.fillers ?? 65); i++) {
                await withTimeout("a filler message", timeoutMs, b.sendTextMessage(input.roomId, `filler ${i}`));
            }
        });
        const lateJoinSawBothMs = await steps.run("lateServerSeesBoth", async () => {
            const t0 = Date.now();
            await withTimeout("C's join", timeoutMs, c.joinRoom(input.roomId, { viaServers: input.cVia }));
            const cSession = await sessionOf(c, input.roomId, timeoutMs);
            await waitFor("C to see both A's and B's call memberships", timeoutMs, cSession, [MatrixRTCSessionEvent.MembershipsChanged],
                () => {
                    const members = callMembers(cSession);
                    return members.includes(aKey) && members.includes(bKey);
                });
            return Date.now() - t0;
        });
        let leaveAfterServerRestartMs = null;
        if (input.signalDir) {
            leaveAfterServerRestartMs = await steps.run("serverOfAKilled", async () => {
                await killMember(member);
                writeFileSync(join(input.signalDir, "kill-a-server"), String(Date.now()));
                const restarted = join(input.signalDir, "a-server-restarted");
                await untilB("B to see A's leave after A's server was killed and restarted", 90_000, false);
                const seenAt = Date.now();
                if (!existsSync(restarted)) throw new Error("B saw A leave before A's server was restarted");
                return seenAt - Number(readFileSync(restarted, "utf8"));
            });
        }
        steps.current = "done";
        return {
            ok: true, mode: input.mode, sdkVersion: SDK_VERSION, node: process.version, leaveAfterMs, lateJoinSawBothMs,
            leaveAfterServerRestartMs, delayMs, restartMs, slackMs, steps: steps.took,
        };
    } finally {
        await killMember(member);
        for (const client of [b, c]) client.stopClient();
    }
}

await runMain("rtc-federated-call", steps, main);
