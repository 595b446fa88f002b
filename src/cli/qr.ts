// A QR code of a login URL, drawn with Unicode half blocks, so a phone can open it from a terminal
// on another machine (SSH, containers). uqr has no dependencies; it loads only when a code is drawn.

/** Longer URLs make a code too large to scan off a terminal; they are printed only as text. */
const MAX_QR_URL_LENGTH = 300;

/** The code's lines, or undefined when the URL is too long for a compact code. */
export async function terminalQrCode(url: string): Promise<string | undefined> {
  if (url.length > MAX_QR_URL_LENGTH) return undefined;
  const { renderUnicodeCompact } = await import("uqr");
  return renderUnicodeCompact(url, { border: 1 });
}
