#!/usr/bin/env node
// End-to-end check of the relay with the raw `ws` package, authenticating ONLY through
// WebSocket subprotocols, as browsers must (they cannot set request headers):
//
//   Sec-WebSocket-Protocol: realtime, openai-insecure-api-key.<RELAY_KEY>
//
//   RELAY_WS_URL='wss://127.0.0.1:4000/v1/realtime?model=gpt-realtime' RELAY_KEY=sk-... \
//   NODE_EXTRA_CA_CERTS=/path/to/relay-cert.pem node ws-subprotocol-roundtrip.mjs
//
// ws:// URLs work too (no TLS). The relay must select exactly `realtime`; the script checks
// `ws.protocol === "realtime"` after open. Prints exactly one JSON line on stdout (see
// README.md); exit 0 on success, 1 otherwise.

import WebSocket from 'ws';
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

const MAX_ERROR_BODY = 2048;

async function main() {
  const key = requireEnv('RELAY_KEY');
  const url = requireEnv('RELAY_WS_URL');

  // No headers at all: the key travels only in the subprotocol list.
  const ws = new WebSocket(url, ['realtime', `openai-insecure-api-key.${key}`], {
    perMessageDeflate: false,
    followRedirects: false,
    maxPayload: 64 * 1024 * 1024,
  });
  debug('connecting to', url);

  const flow = new RoundTrip({
    send: (event) => ws.send(JSON.stringify(event)),
    inputText: 'ping from ws subprotocol client',
  });

  let closed = false;
  let protocol = null;

  // A rejected upgrade (401/400/404/502...): report status and (bounded) body.
  ws.on('unexpected-response', (_req, res) => {
    const chunks = [];
    let size = 0;
    res.on('data', (c) => {
      if (size < MAX_ERROR_BODY) chunks.push(c);
      size += c.length;
    });
    const report = () => {
      const body = Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY);
      flow.fail(`handshake rejected: HTTP ${res.statusCode}${body ? ` ${body}` : ''}`);
      ws.terminate();
    };
    res.on('end', report);
    res.on('error', report);
  });
  ws.on('open', () => {
    protocol = ws.protocol;
    debug('open, protocol=', JSON.stringify(protocol));
    if (protocol !== 'realtime') {
      flow.fail(`server selected subprotocol ${JSON.stringify(protocol)}, expected "realtime"`);
    }
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      flow.fail('unexpected binary frame from server');
      return;
    }
    let event;
    try {
      event = JSON.parse(data.toString('utf8'));
    } catch {
      flow.fail('could not parse server frame as JSON');
      return;
    }
    debug('<-', event?.type);
    flow.onEvent(event);
  });
  ws.on('error', (err) => flow.fail(err));
  ws.on('close', (code, reason) => {
    closed = true;
    debug('closed', code, reason.toString());
    flow.fail(`socket closed before the round trips finished: ${code} ${reason.toString()}`);
  });

  try {
    const result = await Promise.race([flow.run(), flow.failed(), timeout(timeoutMs())]);
    ws.close(1000, 'done');
    await waitClose(ws, () => closed);
    finish({ ok: true, protocol, ...result }, 0);
  } catch (err) {
    ws.terminate();
    finishError(err);
  }
}

main().catch(finishError);
