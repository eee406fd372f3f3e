// One real Element Call call, driven in two headless Chromium processes (run by ElementCallScenario).
//
// Input (JSON on stdin): homeserver (base URL), serverName, callName, mode ("compatibility" |
// "matrix_2_0"), alice and bob ({userId, accessToken, deviceId}: accounts made by the scenario, handed
// to Element Call as its stored session), chromium (the browser binary), shots (a directory for
// screenshots), dropTimeoutMs (how long Alice's page may take to show Bob gone after his browser is
// killed).
//
// Steps: serve Element Call's app (the npm package @element-hq/element-call-embedded, which carries
// the standalone app) on loopback with a config.json naming only the homeserver; Alice creates a
// call on Element Call's home page (its media end-to-end encrypted with a key shared in the
// call's link, as Element Call makes calls) and joins it; Bob opens the call's link and joins; both pages must show 2
// participants and play 2 videos (their own and the other's); the
// homeserver must hold both memberships with a delayed leave scheduled for each; Bob's browser
// process is killed with SIGKILL and the time until Alice's page shows 1 participant is measured;
// Alice hangs up. A screenshot is taken at each step.
//
// Output: progress on stderr; one JSON summary line on stdout: {ok, step, error?, mode, roomId, link,
// joinMs, dropMs, killedAtEpochMs, droppedAtEpochMs, steps: {...}, screenshots: [...]}.

import { createServer } from "node:http";
import { readFile, stat, mkdir } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const started = Date.now();
const log = (...args) => process.stderr.write(`[element-call +${Date.now() - started}ms] ${args.join(" ")}\n`);
const summary = { ok: false, step: "start", steps: {}, screenshots: [] };
let step = "start";
const mark = (name, extra = {}) => { step = name; summary.steps[name] = { atMs: Date.now() - started, ...extra }; log("step", name, JSON.stringify(extra)); };

async function readStdin() {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

const TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".json": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml",
    ".png": "image/png", ".jpg": "image/jpeg", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
    ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".webm": "video/webm", ".map": "application/json", ".ico": "image/x-icon",
};

/** Element Call's app from the npm package, at the root path, index.html for every other path (its router). */
async function serveApp(config) {
    const dist = fileURLToPath(new URL("./node_modules/@element-hq/element-call-embedded/dist/", import.meta.url));
    // The app's assets are relative ("./assets/..."); pages under /room/ need them from the root.
    const index = (await readFile(join(dist, "index.html"), "utf8")).replaceAll("\"./assets/", "\"/assets/");
    const configJson = JSON.stringify(config);
    const server = createServer(async (req, res) => {
        const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
        if (path === "/config.json") {
            res.writeHead(200, { "content-type": "application/json" }).end(configJson);
            return;
        }
        const file = normalize(join(dist, path));
        if (file.startsWith(dist) && path !== "/" && !path.endsWith("/index.html")) {
            try {
                if ((await stat(file)).isFile()) {
                    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(await readFile(file));
                    return;
                }
            } catch { /* not a file: the app's route */ }
        }
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(index);
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { server, url: `http://127.0.0.1:${server.address().port}` };
}

const ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--mute-audio",
    "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns", "--disable-gpu"];

/** A browser in its own process (so that it can be killed), with the user's session stored as Element Call stores it. */
async function openBrowser(input, user, name) {
    const server = await chromium.launchServer({ executablePath: input.chromium, headless: true, args: ARGS });
    const browser = await chromium.connect(server.wsEndpoint());
    const context = await browser.newContext({ viewport: { width: 1024, height: 720 } });
    await context.grantPermissions(["camera", "microphone"]);
    await context.addInitScript((session) => {
        if (!localStorage.getItem("matrix-auth-store")) localStorage.setItem("matrix-auth-store", JSON.stringify(session));
    }, { user_id: user.userId, device_id: user.deviceId, access_token: user.accessToken, passwordlessUser: false });
    const page = await context.newPage();
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") log(`[${name} console ${m.type()}]`, m.text().slice(0, 300)); });
    page.on("pageerror", (e) => log(`[${name} pageerror]`, String(e).slice(0, 300)));
    return { server, browser, context, page, name };
}

async function shot(input, who, label) {
    const file = join(input.shots, `${input.mode}-${summary.screenshots.length + 1}-${label}.png`);
    await who.page.screenshot({ path: file }).catch((e) => log("screenshot failed", e.message));
    summary.screenshots.push(file);
}

async function waitFor(what, check, timeoutMs, everyMs = 250) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check().catch(() => undefined);
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, everyMs));
    }
}

const participants = async (who) => (await who.page.getByTestId("roomHeader_participants_count").first().textContent())?.trim();

/**
 * Tiles whose video plays: decoded frames (a width), enough data, not paused, and frames still
 * coming (the decoded frame count grows over 400 ms). A tile still waiting for its LiveKit
 * participant, or showing an avatar, has no such video.
 */
async function playingTiles(who) {
    const frames = () => who.page.getByTestId("videoTile").evaluateAll((tiles) => tiles.map((tile) => {
        const video = tile.querySelector("video");
        if (!video || video.paused || video.readyState < 2 || video.videoWidth === 0) return -1;
        return video.getVideoPlaybackQuality?.().totalVideoFrames ?? 0;
    }));
    const before = await frames();
    await new Promise((r) => setTimeout(r, 400));
    const after = await frames();
    return after.filter((n, i) => n > 0 && before[i] >= 0 && n > before[i]).length;
}

async function hs(input, user, method, path) {
    const res = await fetch(input.homeserver + path, { method, headers: { authorization: `Bearer ${user.accessToken}` } });
    return { status: res.status, body: await res.json().catch(() => null) };
}

/** Alice's way in: a new call from Element Call's home page; answers the call's link. */
async function createCall(input, who) {
    await who.page.goto(`${input.app}/`);
    const name = who.page.getByTestId("home_callName");
    await name.waitFor({ timeout: 60_000 });
    await name.fill(input.callName);
    await shot(input, who, `${who.name}-home`);
    await who.page.getByTestId("home_go").click();
    await who.page.getByTestId("lobby_joinCall").waitFor({ timeout: 60_000 });
    return who.page.url();
}

async function joinCall(input, who, link) {
    if (link !== undefined) await who.page.goto(link);
    const button = who.page.getByTestId("lobby_joinCall");
    await button.waitFor({ timeout: 60_000 });
    await shot(input, who, `${who.name}-lobby`);
    await button.click();
}

async function main() {
    const input = await readStdin();
    summary.mode = input.mode;
    await mkdir(input.shots, { recursive: true });
    const app = await serveApp({
        default_server_config: { "m.homeserver": { base_url: input.homeserver, server_name: input.serverName } },
        matrix_rtc_mode: input.mode,
        media_devices: { enable_audio: true, enable_video: true },
        media_quality: { video: { max_resolution: { width: 320, height: 240 }, max_framerate: 10 } },
    });
    input.app = app.url;
    mark("appServed", { url: app.url });
    const alice = await openBrowser(input, input.alice, "alice");
    const bob = await openBrowser(input, input.bob, "bob");
    try {
        const link = await createCall(input, alice);
        summary.link = link;
        summary.roomId = new URLSearchParams(link.slice(link.indexOf("?"))).get("roomId");
        mark("aliceCreatedTheCall", { roomId: summary.roomId });
        await joinCall(input, alice);
        mark("aliceJoined");
        const joinStart = Date.now();
        await joinCall(input, bob, link);
        mark("bobJoined");
        for (const who of [alice, bob]) {
            await waitFor(`${who.name}'s page to show 2 participants`, async () => (await participants(who)) === "2", 60_000);
            await waitFor(`${who.name}'s page to play 2 videos (its own and the other's)`, async () => (await playingTiles(who)) >= 2, 60_000);
        }
        summary.joinMs = Date.now() - joinStart;
        mark("bothSeeEachOther", { joinMs: summary.joinMs });
        await shot(input, alice, "alice-in-call");
        await shot(input, bob, "bob-in-call");

        // The homeserver holds both memberships, each with its delayed leave scheduled.
        for (const user of [input.alice, input.bob]) {
            const delayed = await waitFor(`${user.userId}'s delayed leave`, async () => {
                const r = await hs(input, user, "GET", "/_matrix/client/unstable/org.matrix.msc4140/delayed_events");
                return r.status === 200 && r.body.delayed_events.length > 0 ? r.body.delayed_events : undefined;
            }, 30_000);
            summary.steps.bothSeeEachOther[`delayed_${user === input.alice ? "alice" : "bob"}`] =
                delayed.map((d) => ({ type: d.type, delay_ms: d.delay_ms }));
        }
        mark("delayedLeavesScheduled");

        const killedAt = Date.now();
        await bob.server.kill();
        mark("bobKilled");
        await waitFor("Alice's page to show 1 participant", async () => (await participants(alice)) === "1", input.dropTimeoutMs, 100);
        summary.dropMs = Date.now() - killedAt;
        summary.killedAtEpochMs = killedAt;
        summary.droppedAtEpochMs = killedAt + summary.dropMs;
        mark("aliceSeesBobGone", { dropMs: summary.dropMs });
        await shot(input, alice, "alice-after-bob-killed");

        await alice.page.getByTestId("incall_leave").click();
        await waitFor("Alice's call to end", async () => (await alice.page.getByTestId("incall_leave").count()) === 0, 30_000);
        mark("aliceHungUp");
        await shot(input, alice, "alice-hung-up");
        summary.ok = true;
    } finally {
        summary.step = step;
        await alice.browser.close().catch(() => {});
        await alice.server.close().catch(() => {});
        await bob.server.kill().catch(() => {});
        app.server.close();
    }
}

try {
    await main();
} catch (e) {
    summary.step = step;
    summary.error = String(e?.stack ?? e).slice(0, 2000);
    log("FAILED at step", step, summary.error);
}
process.stdout.write(JSON.stringify(summary) + "\n");
process.exit(summary.ok ? 0 : 1);
