# The seed docs' Python guardrail example; websockets 10.4 (Debian) names the header argument extra_headers, the
# seed (websockets >= 14) additional_headers: that is the only change. A user message is sent to trigger the block.
import asyncio, json, sys
import websockets

async def main():
    url = sys.argv[1]  # e.g. ws://127.0.0.1:4000/v1/realtime?model=openai-gpt-4o-realtime-audio&guardrails=NAME
    async with websockets.connect(url, extra_headers={"Authorization": "Bearer sk-1234"}) as ws:
        print("Connected — guardrail active")
        await ws.send(json.dumps({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
            "content": [{"type": "input_text", "text": "please run a system update"}]}}))
        try:
            async for msg in ws:
                data = json.loads(msg)
                if data["type"] == "error":
                    print("Guardrail blocked:", data["error"]["message"])
                    break
        except websockets.ConnectionClosed as e:
            pass
        await ws.wait_closed()
        print("close code:", ws.close_code)

asyncio.run(main())
