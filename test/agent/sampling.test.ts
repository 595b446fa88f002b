// A sampling request as a Responses request body: roles, text and images, the token cap.
import { expect, test } from "bun:test";
import { MAX_IMAGE_BASE64_CHARS } from "../../src/agent/model-input.ts";
import { SAMPLING_MAX_TOKENS, samplingMaxTokens, samplingRequestBody } from "../../src/agent/sampling.ts";

test("messages keep their roles; text, images and other content map to Responses parts", () => {
  const body = samplingRequestBody(
    {
      systemPrompt: "Be brief.",
      maxTokens: 50,
      temperature: 0.2,
      messages: [
        { role: "user", content: [{ type: "text", text: "What is in this picture?" }, { type: "image", data: "aGk=", mimeType: "image/jpeg" }] },
        { role: "assistant", content: { type: "text", text: "A cat." } },
        { role: "user", content: { type: "audio", data: "aGk=", mimeType: "audio/wav" } },
      ],
    },
    "gpt-test",
  );
  expect(body).toEqual({
    model: "gpt-test",
    instructions: "Be brief.",
    max_output_tokens: 50,
    temperature: 0.2,
    input: [
      {
        type: "message",
        role: "user",
        content: [
          { type: "input_text", text: "What is in this picture?" },
          { type: "input_image", image_url: "data:image/jpeg;base64,aGk=" },
        ],
      },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "A cat." }] },
      { type: "message", role: "user", content: [{ type: "input_text", text: "[audio content (audio/wav) omitted]" }] },
    ],
  });
});

test("an image the model cannot read (its type, its size) is described, not sent as-is, as in tool results", () => {
  const huge = "A".repeat(MAX_IMAGE_BASE64_CHARS + 4);
  const body = samplingRequestBody(
    {
      maxTokens: 50,
      messages: [
        {
          role: "user",
          content: [
            { type: "image", data: "AA==", mimeType: "image/tiff" },
            { type: "image", data: huge, mimeType: "image/png" },
          ],
        },
      ],
    },
    "gpt-test",
  );
  expect(body.input).toEqual([
    {
      type: "message",
      role: "user",
      content: [
        { type: "input_text", text: "[image: image/tiff, not shown: the model reads png, jpeg, gif and webp]" },
        { type: "input_text", text: `[image: image/png, ${(huge.length / 4) * 3} bytes, too large to show the model]` },
      ],
    },
  ]);
});

test("max tokens: the server's, but never above the cap", () => {
  expect(samplingMaxTokens({ maxTokens: 100 })).toBe(100);
  expect(samplingMaxTokens({ maxTokens: 1_000_000 })).toBe(SAMPLING_MAX_TOKENS);
  expect(samplingMaxTokens({ maxTokens: 0 })).toBe(SAMPLING_MAX_TOKENS);
});
