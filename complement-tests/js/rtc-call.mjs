// A MatrixRTC call between two real matrix-js-sdk clients, where one of them crashes: user B watches the call
// session of a room through its own /sync while user A, a separate Node process (rtc-member.mjs), joins the
// call, keeps heartbeating its delayed leave, is killed with SIGKILL, and joins again. Run by
// MatrixRtcCallScenario, in either membership mode:
//   legacy: org.matrix.msc3401.call.member state events, delayed leave = empty state at A's key;
//   sticky: org.matrix.msc4143.rtc.member sticky message events (MSC4354), delayed sticky leave.
//
// Input, one JSON object on standard input (both users already registered and joined to roomId):
//   {"baseUrl", "roomId", "mode": "legacy" | "sticky", "a": {userId, accessToken, deviceId}, "b": {...},
//    "delayMs": 6000, "restartMs": 2000, "slackMs": 4000, "timeoutMs": 20000}
//
// Steps: bStarted; aJoinSeenByB (B's session lists A's device); aKeptAliveByRestarts (after delay + restart
// A is still listed: the restarts reached the server); aKilledLeaveSeenByB (after A's SIGKILL, A disappears
// from B's session no earlier than delay - restart - 500 ms and no later than delay + slack); aRejoinSeenByB.
//
// Output: one JSON line on stdout, {"ok": true, "leaveAfterMs": ..., "steps": {...}} or {"ok": false, "step",
// "error"}; exit code 0 or 1. A's output and logs are copied to stderr with an "[A]" prefix.

import { memberFailure as failureOf, spawnMember } from "./rtc-lib.mjs";
import {
    SDK_VERSION, checkUser, makeClient, makeLog, makeSteps, readJsonStdin, rtc, runMain, sdk, sleep, startAndWaitForFirstSync, waitFor,
} from "./harness.mjs";

const { ClientEvent, RoomEvent } = sdk;
const { MatrixRTCSessionEvent } = rtc;
const log = makeLog("rtc-call");
const steps = makeSteps(log);
const runStep = steps.run;

let member = null; // A's process
const aEvents = [];

/** Starts A's process; its JSON lines are collected in aEvents, and a "failed" line fails the run. */
function startMember(input) {
    return spawnMember("A", {
        baseUrl: input.baseUrl, user: input.a, roomId: input.roomId, mode: input.mode, delayMs: input.delayMs,
        restartMs: input.restartMs, timeoutMs: input.timeoutMs,
    }, aEvents);
}

async function main() {
    const input = await readJsonStdin();
    checkUser(input.a, "a");
    checkUser(input.b, "b");
    if (!["legacy", "sticky"].includes(input.mode)) throw new Error(`input: mode must be legacy or sticky, not ${input.mode}`);
    const timeoutMs = Number(input.timeoutMs ?? 20000);
    const delayMs = Number(input.delayMs ?? 6000);
    const restartMs = Number(input.restartMs ?? 2000);
    const slackMs = Number(input.slackMs ?? 4000);

    const b = makeClient("B", input.baseUrl, input.b, log);
    const session = await runStep("bStarted", async () => {
        await startAndWaitForFirstSync(b, timeoutMs);
        const room = await waitFor(`B's sync to show room ${input.roomId} as joined`, timeoutMs, b,
            [ClientEvent.Room, RoomEvent.MyMembership], () => {
                const r = b.getRoom(input.roomId);
                return r?.getMyMembership() === "join" && r;
            });
        return b.matrixRTC.getRoomSession(room);
    });
    const aPresent = () => session.memberships.some((m) => (m.sender ?? m.userId) === input.a.userId && m.deviceId === input.a.deviceId);
    const until = (what, ms, wanted) => waitFor(what, ms, session, [MatrixRTCSessionEvent.MembershipsChanged], () => {
        const failure = failureOf(aEvents);
        if (failure) throw new Error(`A failed: ${failure.error}`);
        return aPresent() === wanted;
    });

    try {
        await runStep("aJoinSeenByB", async () => {
            member = startMember(input);
            await until("B to see A's call membership", timeoutMs, true);
        });
        await runStep("aKeptAliveByRestarts", async () => {
            await sleep(delayMs + restartMs);
            if (!aPresent()) throw new Error(`A left B's session while heartbeating (delay ${delayMs} ms, restart every ${restartMs} ms)`);
        });
        const leaveAfterMs = await runStep("aKilledLeaveSeenByB", async () => {
            member.kill("SIGKILL");
            const killedAt = Date.now();
            await member.exited;
            await until("B to see A's membership end after A's SIGKILL", delayMs + slackMs + 10_000, false);
            const after = Date.now() - killedAt;
            if (after > delayMs + slackMs) throw new Error(`A's leave reached B ${after} ms after the kill, over ${delayMs} + ${slackMs} ms`);
            if (after < delayMs - restartMs - 500) {
                throw new Error(`A's leave reached B ${after} ms after the kill: before its delay could have run out`);
            }
            return after;
        });
        await runStep("aRejoinSeenByB", async () => {
            member = startMember(input);
            await until("B to see A's call membership again after rejoining", timeoutMs, true);
        });
        steps.current = "done";
        return {
            ok: true, mode: input.mode, sdkVersion: SDK_VERSION, node: process.version, leaveAfterMs, delayMs, restartMs, slackMs,
            steps: steps.took, aEvents: aEvents.map(({ at, ...rest }) => rest),
        };
    } finally {
        if (member && member.exitCode === null && member.signalCode === null) member.kill("SIGKILL");
    }
}

await runMain("rtc-call", steps, main);
