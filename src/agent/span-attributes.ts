// Traces (issue 23): what the agent's spans say, in OpenTelemetry's GenAI semantic-convention names
// where they exist (gen_ai.*), tether's own (tether.*) otherwise. Never a key, a header or a tool's
// arguments or output: those stay in the log records, which the user opted into separately.
import type { ToolCallInfo } from "./events.ts";
import type { ModelTarget } from "./provider.ts";
import type { ResponseResult } from "./responses.ts";
import type { SpanAttributes } from "../telemetry/traces.ts";

/** The root span of `tether exec`: the model, and the prompt's text only when `log_user_prompt` allows it. */
export function runAttributes(target: ModelTarget, prompt: string | undefined, logUserPrompt: boolean): SpanAttributes {
  return {
    "gen_ai.provider.name": target.providerId,
    "gen_ai.request.model": target.model,
    "tether.prompt_length": prompt?.length,
    "tether.prompt": logUserPrompt ? prompt : undefined,
  };
}

export function modelRequestAttributes(target: ModelTarget): SpanAttributes {
  return {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": target.providerId,
    "gen_ai.request.model": target.model,
  };
}

export function modelResponseAttributes(response: ResponseResult): SpanAttributes {
  return {
    "gen_ai.response.id": response.responseId,
    "gen_ai.usage.input_tokens": response.usage?.inputTokens,
    "gen_ai.usage.output_tokens": response.usage?.outputTokens,
    "tether.attempts": response.attempts,
  };
}

export function toolCallAttributes(call: ToolCallInfo): SpanAttributes {
  return {
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.tool.name": call.name,
    "gen_ai.tool.call.id": call.callId,
    "mcp.server": call.server,
    "mcp.tool": call.tool,
    "tether.turn": call.turn,
  };
}
