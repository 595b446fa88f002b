// Reading a child process's output while it runs.

/** Reads a stream, resolving `seen` once `text` has appeared and `rest` with everything at the end. */
export function readUntil(stream: ReadableStream<Uint8Array>, text: string): { seen: Promise<void>; rest: Promise<string> } {
  let all = "";
  let markSeen: () => void = () => {};
  const seen = new Promise<void>((resolve) => (markSeen = resolve));
  const rest = (async () => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      all += decoder.decode(chunk.value, { stream: true });
      if (all.includes(text)) markSeen();
    }
    markSeen();
    return all;
  })();
  return { seen, rest };
}
