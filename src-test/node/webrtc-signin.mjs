#!/usr/bin/env node
// WebRTC sign-in through the relay, the two ways clients do it (no media: Node has no RTCPeerConnection, so a
// canned SDP offer stands in for pc.createOffer()).
//
//   RELAY_BASE_URL=https://127.0.0.1:4000/v1 RELAY_KEY=sk-... RELAY_MODEL=gpt-realtime \
//   NODE_EXTRA_CA_CERTS=/path/to/relay-cert.pem node webrtc-signin.mjs
//
// 1. "seed": the browser code of LiteLLM's WebRTC page, verbatim apart from the offer: fetch client_secrets with
//    {model}, read client_secret.value, POST the offer to /calls as application/sdp.
// 2. "sdk": the official SDK: client.realtime.clientSecrets.create({session}) then, with the secret as the API
//    key, client.realtime.calls.create({sdp, session}) (multipart form data).
// Prints one JSON line: {ok, seed: {...}, sdk: {...}} or {ok: false, error}.

import OpenAI from 'openai';

const OFFER = [
  'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=mid:0', 'a=sendrecv', 'a=rtpmap:111 opus/48000/2',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 0.0.0.0', 'a=mid:1', 'a=sctp-port:5000', '',
].join('\r\n');

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

async function seedFlow(baseURL, key, model) {
  const r = await fetch(`${baseURL}/realtime/client_secrets`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model }),
  });
  const secret = await r.json();
  if (r.status !== 200) return { secretStatus: r.status, secret };
  const token = secret.client_secret.value;
  const sdpRes = await fetch(`${baseURL}/realtime/calls`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/sdp' },
    body: OFFER,
  });
  return {
    secretStatus: r.status,
    tokenPrefix: token.slice(0, 4),
    sameValue: secret.value === token,
    status: sdpRes.status,
    location: sdpRes.headers.get('location'),
    contentType: sdpRes.headers.get('content-type'),
    answer: await sdpRes.text(),
  };
}

async function sdkFlow(baseURL, key, model) {
  const client = new OpenAI({ apiKey: key, baseURL });
  const secret = await client.realtime.clientSecrets.create({
    session: { type: 'realtime', model },
    expires_after: { anchor: 'created_at', seconds: 300 },
  });
  const caller = new OpenAI({ apiKey: secret.value, baseURL });
  const res = await caller.realtime.calls.create({
    sdp: OFFER,
    session: { type: 'realtime', model, instructions: 'Be brief.' },
  });
  return {
    tokenPrefix: secret.value.slice(0, 4),
    sessionModel: secret.session?.model,
    status: res.status,
    location: res.headers.get('location'),
    answer: await res.text(),
  };
}

async function main() {
  const baseURL = env('RELAY_BASE_URL');
  const key = env('RELAY_KEY');
  const model = env('RELAY_MODEL');
  const seed = await seedFlow(baseURL, key, model);
  const sdk = await sdkFlow(baseURL, key, model);
  console.log(JSON.stringify({ ok: true, seed, sdk }));
}

main().catch((e) => {
  console.log(JSON.stringify({ ok: false, error: String(e?.message ?? e) }));
  process.exit(1);
});
