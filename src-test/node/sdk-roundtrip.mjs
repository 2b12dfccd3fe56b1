#!/usr/bin/env node
// End-to-end check of the relay with the official `openai` Node SDK (OpenAIRealtimeWS).
//
//   RELAY_BASE_URL=https://127.0.0.1:4000/v1 RELAY_KEY=sk-... RELAY_MODEL=gpt-realtime \
//   NODE_EXTRA_CA_CERTS=/path/to/relay-cert.pem node sdk-roundtrip.mjs
//
// The SDK turns RELAY_BASE_URL into wss://<host>/<path>/realtime?model=<RELAY_MODEL>
// (it always forces the wss: scheme, so the relay must serve TLS), and authenticates with
// `Authorization: Bearer <RELAY_KEY>` — no subprotocols, no OpenAI-Beta header.
// Prints exactly one JSON line on stdout (see README.md); exit 0 on success, 1 otherwise.

import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import {
  RoundTrip,
  debug,
  finish,
  finishError,
  requireEnv,
  timeout,
  timeoutMs,
  waitClose,
} from './lib/roundtrip.mjs';

async function main() {
  const apiKey = requireEnv('RELAY_KEY');
  const baseURL = requireEnv('RELAY_BASE_URL');
  const model = requireEnv('RELAY_MODEL');

  const client = new OpenAI({ apiKey, baseURL });
  // The constructor opens the socket immediately; `create()` only adds async resolution of
  // function-based apiKeys, which we do not use, but it is the documented entry point.
  const rt = await OpenAIRealtimeWS.create(client, { model });
  debug('connecting to', rt.url.toString());

  let closed = false;
  rt.socket.on('close', (code, reason) => {
    closed = true;
    debug('socket closed', code, reason.toString());
    flow.fail(`socket closed before the round trips finished: ${code} ${reason.toString()}`);
  });
  rt.socket.on('open', () => debug('socket open, protocol=', JSON.stringify(rt.socket.protocol)));

  const flow = new RoundTrip({
    send: (event) => rt.send(event),
    inputText: 'ping from sdk',
  });
  // Every server event (including `error` events) arrives on 'event'.
  rt.on('event', (event) => {
    debug('<-', event.type);
    flow.onEvent(event);
  });
  // Transport failures (TLS, HTTP status at the handshake, send failures) and API error events.
  rt.on('error', (err) => flow.fail(err));

  try {
    const result = await Promise.race([flow.run(), flow.failed(), timeout(timeoutMs())]);
    rt.close({ code: 1000, reason: 'done' });
    await waitClose(rt.socket, () => closed);
    finish({ ok: true, ...result }, 0);
  } catch (err) {
    try {
      rt.socket.terminate();
    } catch {
      // ignore
    }
    finishError(err);
  }
}

main().catch(finishError);
