// The test helpers' own contract where a mistake would make other tests pass or fail for the wrong reason.
import { expect, test } from "bun:test";
import { isProcessAlive } from "./cli.ts";
import { eventually } from "./wait.ts";

test.if(process.platform === "linux")("isProcessAlive: a zombie (ended, its parent not reaping) counts as gone", async () => {
  // sh starts a short sleep in the background, then becomes `sleep`, which never reaps it.
  const parent = Bun.spawn(["sh", "-c", "sleep 0.1 & echo $!; exec sleep 30"], { stdout: "pipe", stderr: "ignore" });
  try {
    const reader = parent.stdout.getReader();
    const { value } = await reader.read();
    reader.releaseLock();
    const zombie = Number(new TextDecoder().decode(value).trim());
    expect(isProcessAlive(parent.pid)).toBe(true);
    // The short sleep ends soon; the kernel keeps it as a zombie until the long one ends.
    await eventually(() => !isProcessAlive(zombie));
    expect(isProcessAlive(zombie)).toBe(false);
  } finally {
    parent.kill("SIGKILL");
    await parent.exited;
  }
});
