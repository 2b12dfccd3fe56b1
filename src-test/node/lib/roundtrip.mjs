// Shared protocol flow for the relay end-to-end client scripts.
//
// Transport-agnostic: a script feeds every server event into `RoundTrip.onEvent`
// and gives it a `send(obj)` function; `RoundTrip.run()` drives one TEXT and one
// AUDIO round trip over the same Realtime session (GA event names) and resolves
// with the collected result, or rejects on the first `error` event, a failed
// response, a transport failure reported through `fail()`, or the timeout.

/** Beta and GA names of the deltas we collect (the relay passes frames through untouched). */
const TEXT_DELTA = new Set(['response.output_text.delta', 'response.text.delta']);
const AUDIO_DELTA = new Set(['response.output_audio.delta', 'response.audio.delta']);
const TRANSCRIPT_DELTA = new Set([
  'response.output_audio_transcript.delta',
  'response.audio_transcript.delta',
]);

export const SAMPLE_RATE = 24_000;
/** 20 ms of PCM16 mono at 24 kHz = 480 samples = 960 bytes (1280 base64 chars). */
export const CHUNK_SAMPLES = 480;

/** Reads a required environment variable or throws a readable error. */
export function requireEnv(name) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is required`);
  }
  return value;
}

/** Timeout in ms for the whole script (RELAY_TIMEOUT_MS, default 20000). */
export function timeoutMs() {
  const raw = process.env.RELAY_TIMEOUT_MS;
  const n = raw ? Number(raw) : 20_000;
  return Number.isFinite(n) && n > 0 ? n : 20_000;
}

/**
 * One 20 ms PCM16 LE chunk: a quiet 440 Hz tone (amplitude ~3% of full scale),
 * phase-continuous across chunks, base64 encoded.
 */
export function pcm16Chunk(index) {
  const buf = Buffer.alloc(CHUNK_SAMPLES * 2);
  for (let i = 0; i < CHUNK_SAMPLES; i++) {
    const t = (index * CHUNK_SAMPLES + i) / SAMPLE_RATE;
    buf.writeInt16LE(Math.round(1000 * Math.sin(2 * Math.PI * 440 * t)), i * 2);
  }
  return buf.toString('base64');
}

function describeError(err) {
  if (err === undefined || err === null) return 'unknown error';
  if (typeof err === 'string') return err;
  if (err instanceof Error) {
    const cause = err.cause instanceof Error && err.cause.message !== err.message ? ` (cause: ${err.cause.message})` : '';
    const code = err.code ? ` [${err.code}]` : '';
    return `${err.message}${code}${cause}`;
  }
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

export class RoundTrip {
  /**
   * @param {object} opts
   * @param {(event: object) => void} opts.send  serialises and sends one client event
   * @param {string} opts.inputText              user text for the TEXT round trip
   * @param {number} [opts.audioChunks]          number of 20 ms chunks for the AUDIO round trip
   */
  constructor({ send, inputText, audioChunks }) {
    this.send = send;
    this.inputText = inputText;
    this.audioChunks = audioChunks ?? (Number(process.env.RELAY_AUDIO_CHUNKS) || 10);
    this.events = []; // server event types, in arrival order
    this._backlog = []; // full events, for waitFor()
    this._cursor = 0;
    this._waiter = null;
    this.text = '';
    this.transcript = '';
    this.audioBytes = 0;
    this.usage = null;
    this._failure = null;
    this._failWaiters = [];
  }

  /** Feed every parsed server event here. */
  onEvent(event) {
    const type = event && typeof event.type === 'string' ? event.type : '<no type>';
    this.events.push(type);
    if (TEXT_DELTA.has(type) && typeof event.delta === 'string') {
      this.text += event.delta;
    } else if (AUDIO_DELTA.has(type) && typeof event.delta === 'string') {
      this.audioBytes += Buffer.from(event.delta, 'base64').length;
    } else if (TRANSCRIPT_DELTA.has(type) && typeof event.delta === 'string') {
      this.transcript += event.delta;
    } else if (type === 'response.done') {
      this.usage = event.response?.usage ?? null;
      const status = event.response?.status;
      if (status === 'failed' || status === 'cancelled') {
        this.fail(`response.done with status ${status}: ${JSON.stringify(event.response?.status_details ?? null)}`);
        return;
      }
    } else if (type === 'error') {
      const e = event.error ?? {};
      this.fail(`server error event: ${e.message ?? JSON.stringify(event)}${e.type ? ` (type=${e.type}` + (e.code ? `, code=${e.code})` : ')') : ''}`);
      return;
    }
    this._backlog.push(event);
    this._poll();
  }

  /** Report a transport/SDK failure; the first failure wins. */
  fail(err) {
    if (this._failure) return;
    this._failure = new Error(describeError(err));
    const waiter = this._waiter;
    this._waiter = null;
    if (waiter) waiter.reject(this._failure);
    for (const reject of this._failWaiters) reject(this._failure);
  }

  /** A promise that rejects when fail() is called (for racing against other work). */
  failed() {
    return new Promise((_, reject) => {
      if (this._failure) reject(this._failure);
      else this._failWaiters.push(reject);
    });
  }

  _poll() {
    if (!this._waiter) return;
    while (this._cursor < this._backlog.length) {
      const event = this._backlog[this._cursor++];
      if (this._waiter.predicate(event)) {
        const { resolve } = this._waiter;
        this._waiter = null;
        resolve(event);
        return;
      }
    }
  }

  /** Resolves with the next (not yet consumed) server event of the given type. */
  waitFor(type) {
    if (this._failure) return Promise.reject(this._failure);
    return new Promise((resolve, reject) => {
      this._waiter = { predicate: (e) => e.type === type, resolve, reject };
      this._poll();
    });
  }

  async run() {
    await this.waitFor('session.created');

    // --- (a) TEXT round trip ---
    this.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        output_modalities: ['text'],
        // No server VAD: we commit the input audio buffer and create responses ourselves.
        audio: { input: { turn_detection: null } },
      },
    });
    await this.waitFor('session.updated');
    this.send({
      type: 'conversation.item.create',
      item: {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: this.inputText }],
      },
    });
    this.send({ type: 'response.create' });
    await this.waitFor('response.done');

    // --- (b) AUDIO round trip, same session ---
    for (let i = 0; i < this.audioChunks; i++) {
      this.send({ type: 'input_audio_buffer.append', audio: pcm16Chunk(i) });
    }
    this.send({ type: 'input_audio_buffer.commit' });
    this.send({ type: 'response.create', response: { output_modalities: ['audio'] } });
    await this.waitFor('response.done');

    return {
      text: this.text,
      audioBytes: this.audioBytes,
      transcript: this.transcript,
      usage: this.usage,
      events: this.events,
    };
  }
}

/** Print exactly one JSON line on stdout, then exit with the given code. */
export function finish(obj, code) {
  process.stdout.write(JSON.stringify(obj) + '\n', () => process.exit(code));
}

/** Print the failure line and exit 1. */
export function finishError(err) {
  finish({ ok: false, error: describeError(err) }, 1);
}

/** Rejects after `ms` with a timeout error; the timer does not keep the process alive. */
export function timeout(ms) {
  return new Promise((_, reject) => {
    setTimeout(() => reject(new Error(`timeout after ${ms} ms`)), ms).unref();
  });
}

/** Resolves once `emitter` emits 'close', or after `ms` (whichever first). */
export function waitClose(emitter, alreadyClosed, ms = 3000) {
  if (alreadyClosed()) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    emitter.once('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Debug logging to stderr when RELAY_DEBUG is set (stdout stays one JSON line). */
export function debug(...args) {
  if (process.env.RELAY_DEBUG) console.error('[debug]', ...args);
}
