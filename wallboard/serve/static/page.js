// wallboard serve: the kiosk page's own script, around textual-serve's textual.js.
//
// textual.js (textual-serve's bundle of xterm.js and its glue) builds one
// terminal object per `.textual-terminal` element on window.onload and, when
// the socket closes, shows a "Restart" button. A TV on a wall has nobody to
// press it, so this script, loaded first:
//
//  1. adopts that terminal object as it is constructed (the bundle keeps its
//     class private; the object's first own property is caught once with a
//     setter on Object.prototype that removes itself straight away);
//  2. replaces its connect(): the websocket URL carries the page's kiosk
//     parameters, and a closed, failed or silent socket is retried with
//     backoff while a banner says "reconnecting";
//  3. waits for the locally served font before the terminal measures cells;
//  4. plays a short tone on the terminal bell (the app rings it on an SLA
//     breach when alerts are on: `--bell`, `bell=1` or the `b` key).
//
// `window.wallboard` exposes the state for tests and for a person with the
// browser's console: state, history, attempts, bells, tones, screenText().
"use strict";
(() => {
  const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
  const FULL_RETRY_MS = 30000;
  const STABLE_MS = 30000; // a connection that lasted this long resets the backoff
  const PING_MS = 5000;
  const SILENT_MS = 20000; // nothing received for this long: the connection is dead

  const wb = {
    state: "starting",
    history: [],
    attempts: 0,
    connects: 0,
    bells: 0,
    tones: 0,
    toneError: null,
    terminal: null,
    screenText() {
      const t = wb.terminal;
      if (!t) return "";
      const buf = t.buffer.active;
      const out = [];
      for (let y = 0; y < buf.length; y++) {
        const line = buf.getLine(y);
        out.push(line ? line.translateToString(true) : "");
      }
      return out.join("\n");
    },
  };
  window.wallboard = wb;

  let inst = null; // textual.js's terminal object
  let protoConnect = null;
  let gen = 0; // which connection the live handlers belong to
  let failures = 0;
  let retryTimer = null;
  let pingTimer = null;

  function setState(state, text) {
    wb.state = state;
    if (wb.history[wb.history.length - 1] !== state) wb.history.push(state);
    const banner = document.getElementById("wb-status");
    if (banner) {
      banner.textContent = text || "";
      banner.classList.toggle("wb-hidden", state === "connected");
    }
    document.body && document.body.classList.toggle("wb-stale", state !== "connected");
  }

  function wsUrl() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + location.host + "/ws/" + encodeURIComponent(location.search.slice(1));
  }

  // --- 1. adopt the terminal object ------------------------------------------
  Object.defineProperty(Object.prototype, "websocket_url", {
    configurable: true,
    set(value) {
      delete Object.prototype.websocket_url;
      Object.defineProperty(this, "websocket_url", {
        value, writable: true, enumerable: true, configurable: true,
      });
      inst = this;
      protoConnect = Object.getPrototypeOf(this).connect;
      this.connect = connect; // textual.js's onload calls this one
    },
  });

  // --- 2. connect and reconnect ----------------------------------------------
  async function connect() {
    if (!wb.terminal && inst.terminal) {
      wb.terminal = inst.terminal;
      inst.terminal.onBell(onBell);
    }
    const my = ++gen;
    wb.attempts += 1;
    setState(wb.connects ? "reconnecting" : "connecting",
      wb.connects ? "reconnecting…" : "connecting…");
    inst.websocket_url = wsUrl();
    try {
      await protoConnect.call(inst);
    } catch (err) {
      if (my === gen) retry();
      return;
    }
    const sock = inst.socket;
    let opened = 0;
    let lastRx = Date.now();
    let full = false;
    sock.addEventListener("open", () => { opened = Date.now(); });
    sock.addEventListener("message", (ev) => {
      if (my !== gen) return;
      lastRx = Date.now();
      if (typeof ev.data === "string") {
        let msg = null;
        try { msg = JSON.parse(ev.data); } catch (e) { return; }
        if (msg && msg[0] === "wallboard" && msg[1] && msg[1].type === "full") {
          full = true;
          setState("full", `This server already shows ${msg[1].max} screens: waiting for a free one…`);
        }
      } else if (wb.state !== "connected") {
        wb.connects += 1;
        setState("connected", "");
      }
    });
    sock.addEventListener("close", () => {
      document.body.classList.remove("-closed"); // textual.js's "Restart" dialog class
      if (my !== gen) return;
      if (opened && Date.now() - opened > STABLE_MS) failures = 0;
      retry(full ? FULL_RETRY_MS : undefined);
    });
    clearInterval(pingTimer);
    pingTimer = setInterval(() => {
      if (my !== gen) return;
      if (Date.now() - lastRx > SILENT_MS) {
        // A dropped network can leave a socket "open" for minutes: give up on it now.
        gen += 1;
        try { sock.close(); } catch (e) { /* already closed */ }
        retry();
        return;
      }
      if (sock.readyState === WebSocket.OPEN) sock.send(JSON.stringify(["ping", String(Date.now())]));
    }, PING_MS);
  }

  function retry(delay) {
    clearTimeout(retryTimer);
    clearInterval(pingTimer);
    gen += 1;
    if (delay === undefined) {
      const base = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)];
      delay = base * (0.8 + 0.4 * Math.random());
      failures += 1;
    }
    if (wb.state !== "full") {
      setState("reconnecting", `reconnecting… next try in ${Math.max(1, Math.round(delay / 1000))} s`);
    }
    retryTimer = setTimeout(check, delay);
  }

  async function check() {
    // Ask first, so a revoked token shows the 401 page and a full server waits.
    let status = 0;
    try {
      status = (await fetch("/session", { cache: "no-store", credentials: "same-origin" })).status;
    } catch (e) {
      status = 0; // server down or network gone: keep trying
    }
    if (status === 401) {
      location.reload();
    } else if (status === 503) {
      setState("full", "This server already shows all the screens it may: waiting for a free one…");
      retry(FULL_RETRY_MS);
    } else if (status >= 200 && status < 300) {
      connect();
    } else {
      retry();
    }
  }

  // --- 3. the font first -----------------------------------------------------
  document.addEventListener("DOMContentLoaded", () => {
    const start = window.onload; // textual.js's
    if (typeof start !== "function") return;
    window.onload = (ev) => {
      const el = document.getElementById("terminal");
      const size = (el && el.dataset.fontSize) || "16";
      const font = document.fonts.load(`${size}px "Roboto Mono"`);
      const late = new Promise((resolve) => setTimeout(resolve, 3000));
      Promise.race([font, late]).then(() => start(ev), () => start(ev));
    };
  });

  // --- 4. the bell -------------------------------------------------------------
  let audio = null;
  function onBell() {
    wb.bells += 1;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
      const now = audio.currentTime;
      [[0, 880], [0.28, 660]].forEach(([at, freq]) => {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, now + at);
        gain.gain.exponentialRampToValueAtTime(0.4, now + at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.25);
        osc.connect(gain).connect(audio.destination);
        osc.start(now + at);
        osc.stop(now + at + 0.26);
      });
      wb.tones += 1;
    } catch (err) {
      wb.toneError = String(err);
    }
  }
})();
