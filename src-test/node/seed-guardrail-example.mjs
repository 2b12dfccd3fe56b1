#!/usr/bin/env node
// The seed docs' guardrail example (LiteLLM /realtime "Pass guardrails dynamically"), kept as close to the original
// as a test allows: ?guardrails=<names> on the URL, Bearer key, an error event then close code 1011 when blocked.
//   RELAY_WS_URL=ws://127.0.0.1:4000/v1/realtime?model=NAME&guardrails=G RELAY_KEY=sk-... \
//   RELAY_TEXT="text that a guardrail blocks" node seed-guardrail-example.mjs
// Prints one JSON line: {"connected":bool,"guardrailError":"<message>"|null,"closeCode":N,"closeReason":"..."}
import WebSocket from 'ws';

const url = process.env.RELAY_WS_URL;
const ws = new WebSocket(url, {
  headers: {
    Authorization: `Bearer ${process.env.RELAY_KEY}`,
  },
});
const result = { connected: false, guardrailError: null, closeCode: null, closeReason: null };
const timer = setTimeout(() => {
  console.log(JSON.stringify({ ...result, timeout: true }));
  process.exit(1);
}, Number(process.env.RELAY_TIMEOUT_MS || 20000));

ws.on('open', function open() {
  result.connected = true; // "Connected — guardrails active"
  ws.send(JSON.stringify({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: process.env.RELAY_TEXT }] },
  }));
  ws.send(JSON.stringify({ type: 'response.create' }));
});

ws.on('message', function incoming(message) {
  const data = JSON.parse(message);
  if (data.type === 'error') {
    // Guardrail block is sent as an error event before the connection closes
    result.guardrailError = data.error.message;
    result.guardrailErrorType = data.error.type;
  }
});

ws.on('close', function close(code, reason) {
  // code 1011 = blocked by guardrail at pre_call
  result.closeCode = code;
  result.closeReason = reason.toString();
  clearTimeout(timer);
  console.log(JSON.stringify(result));
});

ws.on('error', (err) => {
  clearTimeout(timer);
  console.log(JSON.stringify({ ...result, error: String(err && err.message) }));
  process.exit(1);
});
