// What the scenario scripts share: the Node version check, the SDK loaded with its console output routed to
// stderr (stdout carries only the scripts' JSON lines), SDK loggers, waits with timeouts, and client start-up.
//
// Environment: JSSDK_LOG_LEVEL = error | warn | info (default) | debug | trace, for the SDK's logs.

import { format } from "node:util";
import { readFileSync } from "node:fs";
import { basename } from "node:path";

const SCRIPT = basename(process.argv[1] ?? "script", ".mjs");

// matrix-js-sdk 43 declares engines.node >= 22 and uses Promise.withResolvers (Node 22) in its sync loop:
// Node 20 imports it but fails later, in a way that looks like a homeserver bug. Refuse it up front.
if (Number(process.versions.node.split(".")[0]) < 22) {
    process.stderr.write(`${SCRIPT}: FAILED at step start: Node ${process.version} is too old; matrix-js-sdk 43 needs Node >= 22 `
        + "(eval \"$(.ci/node.sh)\" installs one and sets CALLHS_NODE)\n");
    process.stdout.write(JSON.stringify({ ok: false, step: "start", error: `Node ${process.version} < 22` }) + "\n");
    process.exit(1);
}

const LEVELS = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };
const LOG_LEVEL = LEVELS[process.env.JSSDK_LOG_LEVEL ?? "info"] ?? LEVELS.info;

// The SDK's global logger (loglevel, debug level) writes through console methods it binds when it is
// loaded: route them to stderr first, filtered by JSSDK_LOG_LEVEL. Hence the dynamic import below.
// (loglevel sends debug to console.log.)
const CONSOLE_LEVELS = { error: "error", warn: "warn", info: "info", log: "debug", debug: "debug", trace: "trace" };
for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    console[method] = (...args) => {
        if (LEVELS[level] <= LOG_LEVEL) process.stderr.write(`[sdk] ${level.toUpperCase()} ${format(...args)}\n`);
    };
}
export const sdk = await import("matrix-js-sdk");
export const rtc = await import("matrix-js-sdk/lib/matrixrtc/index.js");
const { ClientEvent, MemoryStore, SyncState, createClient } = sdk;

export const SDK_VERSION = JSON.parse(readFileSync(new URL("./node_modules/matrix-js-sdk/package.json", import.meta.url))).version;

const started = Date.now();

/** A "[name +ms] ..." line on stderr. */
export function makeLog(name) {
    return (...args) => process.stderr.write(`[${name} +${Date.now() - started}ms] ${format(...args)}\n`);
}

/** A logger for createClient({logger}) that writes "[A] ..." to stderr, up to JSSDK_LOG_LEVEL. */
export function sdkLogger(prefix) {
    const write = (level) => (...args) => {
        if (LEVELS[level] <= LOG_LEVEL) process.stderr.write(`[${prefix}] ${level.toUpperCase()} ${format(...args)}\n`);
    };
    return {
        trace: write("trace"), debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error"),
        getChild: (namespace) => sdkLogger(`${prefix} ${namespace}`),
    };
}

/** The JSON object on standard input. */
export async function readJsonStdin() {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString("utf8").trim();
    if (!text) throw new Error("nothing on stdin: give the input as one JSON object");
    return JSON.parse(text);
}

/** Throws unless `user` has a userId, accessToken and deviceId. */
export function checkUser(user, who) {
    for (const field of ["userId", "accessToken", "deviceId"]) {
        if (typeof user?.[field] !== "string" || !user[field]) throw new Error(`input: ${who}.${field} missing`);
    }
}

/**
 * Resolves with the value `check()` returns once it is truthy: checked now, and again every time
 * `emitter` emits one of `events` (and every 250 ms, in case the state changed without an event we listen
 * to). Rejects after `timeoutMs` with `what` in the message.
 */
export function waitFor(what, timeoutMs, emitter, events, check) {
    return new Promise((resolve, reject) => {
        let done = false;
        const finish = (fn, value) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            clearInterval(poll);
            for (const e of events) emitter.off(e, probe);
            fn(value);
        };
        const probe = (...args) => {
            try {
                const value = check(...args);
                if (value) finish(resolve, value);
            } catch (e) {
                finish(reject, e);
            }
        };
        const timer = setTimeout(() => finish(reject, new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
        const poll = setInterval(() => probe(), 250);
        for (const e of events) emitter.on(e, probe);
        probe();
    });
}

/** Rejects after `ms`: for SDK calls that could hang (an HTTP request the server never answers). */
export function withTimeout(what, ms, promise) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A script's named steps: `run(name, fn)` logs the step, runs it and records how long it took in
 * `took` (name -> ms); `current` names the step under way (the one a failure is reported at).
 */
export function makeSteps(log) {
    const steps = { current: "start", took: {} };
    steps.run = async (name, fn) => {
        steps.current = name;
        const t0 = Date.now();
        log(`step ${name}`);
        const result = await fn();
        steps.took[name] = Date.now() - t0;
        return result;
    };
    return steps;
}

/** A client with a memory store and no crypto, logging as `name`; remembers its last sync error. */
export function makeClient(name, baseUrl, user, log) {
    const client = createClient({
        baseUrl,
        userId: user.userId,
        accessToken: user.accessToken,
        deviceId: user.deviceId,
        store: new MemoryStore(),
        timelineSupport: true,
        logger: sdkLogger(name),
    });
    client.callhsName = name;
    client.lastSyncError = null;
    client.on(ClientEvent.Sync, (state, prev, data) => {
        if (state === SyncState.Error) {
            client.lastSyncError = data?.error?.message ?? String(data?.error);
            log(`${name}: sync state ERROR: ${client.lastSyncError}`);
        }
    });
    return client;
}

export async function startAndWaitForFirstSync(client, timeoutMs) {
    await withTimeout(`${client.callhsName}'s startClient`, timeoutMs, client.startClient({ initialSyncLimit: 20 }));
    await waitFor(`${client.callhsName}'s first sync (state PREPARED)`, timeoutMs, client, [ClientEvent.Sync],
        () => {
            const state = client.getSyncState();
            return state === SyncState.Prepared || state === SyncState.Syncing;
        }).catch((e) => {
        throw new Error(e.message + (client.lastSyncError ? ` (last sync error: ${client.lastSyncError})` : ""));
    });
}

/**
 * Runs a script's `main()` and ends the process: its result is the summary line (exit 0); when it throws, the
 * summary names the step under way (`steps.current`) and the error (exit 1).
 */
export async function runMain(name, steps, main) {
    let exitCode = 0;
    let summary;
    try {
        summary = await main();
    } catch (e) {
        exitCode = 1;
        process.stderr.write(`${name}: FAILED at step ${steps.current}: ${e?.stack ?? e}\n`);
        summary = { ok: false, step: steps.current, error: e?.message ?? String(e), sdkVersion: SDK_VERSION, node: process.version, steps: steps.took };
    }
    finish(summary, exitCode);
}

/**
 * Writes the summary line and exits. Explicitly: with the clients stopped nothing runs any more, but the
 * SDK's request-timeout ponyfill (timeoutSignal in lib/http-api/utils.js) never clears its timers, which
 * would keep Node's event loop alive for up to 110 s (the sync request's local timeout) after the last request.
 */
export function finish(summary, exitCode) {
    process.stdout.write(JSON.stringify(summary) + "\n", () => process.exit(exitCode));
}
