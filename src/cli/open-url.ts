// Opens a URL with the platform's opener; a missing opener is not an error (the URL is printed too).
import { spawn } from "node:child_process";

export async function openUrl(url: string): Promise<void> {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", '""', url.replaceAll("&", "^&")]]
        : ["xdg-open", [url]];
  await new Promise<void>((done) => {
    const child = spawn(command, args, { stdio: "ignore", detached: true });
    child.on("error", () => done());
    child.on("spawn", () => {
      child.unref();
      done();
    });
  });
}
