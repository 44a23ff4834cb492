/** The few SVG pieces the owner's charts are drawn with, and their colours. */

/** An SVG document and its height (the width is the chart's). */
export interface Svg {
  readonly markup: string;
  readonly height: number;
}

/**
 * Dark text on a white card of the chart's own, and saturated series colours: a photo keeps its
 * background in Telegram's dark mode, so nothing here depends on the chat's theme.
 */
export const palette = {
  card: "#ffffff",
  text: "#1b1f24",
  muted: "#5f6b7a",
  grid: "#c9d1db",
  axis: "#8a96a3",
  track: "#eef1f5",
  series: ["#2f6fdf", "#1f9d8b", "#f08c00", "#d6336c", "#7048e8", "#2b8a3e"],
  orders: "#2f6fdf",
  revenue: "#1f9d8b",
} as const;

/** Text from the owner's data (a name, a source) cannot break out of its element. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

interface TextStyle {
  readonly size: number;
  readonly weight?: 400 | 700;
  readonly color?: string;
  readonly anchor?: "start" | "middle" | "end";
}

/** One line of text at (x, y), escaped. */
export function textAt(x: number, y: number, text: string, style: TextStyle): string {
  const anchor = style.anchor && style.anchor !== "start" ? ` text-anchor="${style.anchor}"` : "";
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${style.size}" font-weight="${style.weight ?? 400}" fill="${style.color ?? palette.text}"${anchor}>${escapeXml(text)}</text>`;
}
