// What the MatrixRTC scripts share: a call participant run as its own Node process (rtc-member.mjs), so a test
// can SIGKILL it, and the call members a MatrixRTCSession lists.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const MEMBER_SCRIPT = fileURLToPath(new URL("./rtc-member.mjs", import.meta.url));

/**
 * Starts a participant process (rtc-member.mjs) for `member`: {baseUrl, user, roomId, mode, delayMs, restartMs,
 * timeoutMs}. Its JSON lines are appended to `events` (with the time they arrived); its output is copied to
 * stderr prefixed with `[name]`. The returned child has `exited`, a promise of {code, signal}.
 */
export function spawnMember(name, member, events) {
    const child = spawn(process.execPath, [MEMBER_SCRIPT], { stdio: ["pipe", "pipe", "pipe"], env: process.env });
    child.stdin.end(JSON.stringify({ livekitServiceUrl: "https://livekit-jwt.invalid", ...member }));
    let pending = "";
    child.stdout.on("data", (chunk) => {
        pending += chunk.toString("utf8");
        let newline;
        while ((newline = pending.indexOf("\n")) >= 0) {
            const line = pending.slice(0, newline).trim();
            pending = pending.slice(newline + 1);
            if (!line) continue;
            process.stderr.write(`[${name} stdout] ${line}\n`);
            try {
                events.push({ at: Date.now(), ...JSON.parse(line) });
            } catch {
                // not a JSON line
            }
        }
    });
    child.stderr.on("data", (chunk) => process.stderr.write(chunk.toString("utf8").replace(/^/gm, `[${name}] `)));
    child.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    return child;
}

/** The participant's "failed" line, if it printed one. */
export function memberFailure(events) {
    return events.find((e) => e.event === "failed");
}

/** The call members a session lists, as "userId|deviceId". */
export function callMembers(session) {
    return session.memberships.map((m) => `${m.sender ?? m.userId}|${m.deviceId}`);
}

/** Kills a participant process (if still running) and waits for it to end. */
export async function killMember(child) {
    if (child && child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await child.exited;
    }
}
