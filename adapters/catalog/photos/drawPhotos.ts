/**
 * Draws the sample catalog's product pictures (the PNG files next to this script), so the sample
 * shop has real photos without shipping anyone else's images: flat shapes with soft edges on a
 * pastel background, 480 × 480, a few KB each. Run `node adapters/catalog/photos/drawPhotos.ts`
 * after changing a drawing; the output is the same on every run.
 */
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

type Rgb = readonly [number, number, number];
/** A shape as a signed distance in pixels: negative inside, positive outside. */
type Shape = (x: number, y: number) => number;

const size = 480;

const hex = (value: string): Rgb => [0, 2, 4].map((at) => Number.parseInt(value.slice(1 + at, 3 + at), 16)) as unknown as Rgb;

// ── shapes ───────────────────────────────────────────────────────────────────────────────────

const circle = (cx: number, cy: number, r: number): Shape => (x, y) => Math.hypot(x - cx, y - cy) - r;

const ellipse = (cx: number, cy: number, rx: number, ry: number): Shape => (x, y) => (Math.hypot((x - cx) / rx, (y - cy) / ry) - 1) * Math.min(rx, ry);

/** A rectangle with rounded corners, turned by `angle` radians about its centre. */
const box =
  (cx: number, cy: number, w: number, h: number, r = 0, angle = 0): Shape =>
  (x, y) => {
    const cos = Math.cos(-angle);
    const sin = Math.sin(-angle);
    const px = Math.abs((x - cx) * cos - (y - cy) * sin) - w / 2 + r;
    const py = Math.abs((x - cx) * sin + (y - cy) * cos) - h / 2 + r;
    return Math.hypot(Math.max(px, 0), Math.max(py, 0)) + Math.min(Math.max(px, py), 0) - r;
  };

/** A thick line with round ends. */
const segment =
  (ax: number, ay: number, bx: number, by: number, width: number): Shape =>
  (x, y) => {
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(x - ax - t * dx, y - ay - t * dy) - width / 2;
  };

/** A closed polygon, convex or not. */
const polygon =
  (points: readonly (readonly [number, number])[]): Shape =>
  (x, y) => {
    let distance = Infinity;
    let inside = false;
    for (let i = 0, j = points.length - 1; i < points.length; j = i, i += 1) {
      const [xi, yi] = points[i] ?? [0, 0];
      const [xj, yj] = points[j] ?? [0, 0];
      const ex = xj - xi;
      const ey = yj - yi;
      const t = Math.max(0, Math.min(1, ((x - xi) * ex + (y - yi) * ey) / (ex * ex + ey * ey)));
      distance = Math.min(distance, Math.hypot(x - xi - t * ex, y - yi - t * ey));
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside ? -distance : distance;
  };

const union = (...shapes: Shape[]): Shape => (x, y) => Math.min(...shapes.map((shape) => shape(x, y)));
const intersect = (...shapes: Shape[]): Shape => (x, y) => Math.max(...shapes.map((shape) => shape(x, y)));
const subtract = (shape: Shape, cut: Shape): Shape => (x, y) => Math.max(shape(x, y), -cut(x, y));
/** The outline of a shape, `width` pixels wide. */
const ring = (shape: Shape, width: number): Shape => (x, y) => Math.abs(shape(x, y)) - width / 2;

// ── the canvas ───────────────────────────────────────────────────────────────────────────────

class Canvas {
  readonly pixels = new Float32Array(size * size * 3);

  /** A vertical blend of two colours with a soft light in the upper middle. */
  background(top: Rgb, bottom: Rgb): void {
    for (let y = 0; y < size; y += 1) {
      for (let x = 0; x < size; x += 1) {
        const t = y / (size - 1);
        const glow = Math.max(0, 1 - Math.hypot(x - size / 2, y - size * 0.38) / (size * 0.55)) * 18;
        for (let c = 0; c < 3; c += 1) this.pixels[(y * size + x) * 3 + c] = (top[c] ?? 0) * (1 - t) + (bottom[c] ?? 0) * t + glow;
      }
    }
  }

  /** Paints a shape with antialiased edges; `shade` darkens it towards the right for a little volume. */
  fill(shape: Shape, color: Rgb, options: { readonly alpha?: number; readonly shade?: number } = {}): void {
    const alpha = options.alpha ?? 1;
    const shade = options.shade ?? 0;
    for (let y = 0; y < size; y += 1) {
      for (let x = 0; x < size; x += 1) {
        const coverage = Math.max(0, Math.min(1, 0.5 - shape(x + 0.5, y + 0.5))) * alpha;
        if (coverage === 0) continue;
        const light = 1 - shade * (x / size - 0.3);
        for (let c = 0; c < 3; c += 1) {
          const at = (y * size + x) * 3 + c;
          this.pixels[at] = (this.pixels[at] ?? 0) * (1 - coverage) + (color[c] ?? 0) * light * coverage;
        }
      }
    }
  }

  /** A soft oval shadow on the table under an object. */
  shadow(cx: number, cy: number, rx: number, ry: number): void {
    this.fill((x, y) => (Math.hypot((x - cx) / rx, (y - cy) / ry) - 1) * 24, [60, 40, 30], { alpha: 0.22 });
  }

  png(): Buffer {
    const rows = Buffer.alloc(size * (size * 3 + 1));
    for (let y = 0; y < size; y += 1) {
      rows[y * (size * 3 + 1)] = 2; // the "up" filter: flat areas and gradients become runs of zeros
      for (let i = 0; i < size * 3; i += 1) {
        const value = Math.round(Math.max(0, Math.min(255, this.pixels[y * size * 3 + i] ?? 0)));
        const above = y === 0 ? 0 : Math.round(Math.max(0, Math.min(255, this.pixels[(y - 1) * size * 3 + i] ?? 0)));
        rows[y * (size * 3 + 1) + 1 + i] = (value - above) & 0xff;
      }
    }
    const header = Buffer.alloc(13);
    header.writeUInt32BE(size, 0);
    header.writeUInt32BE(size, 4);
    header.set([8, 2, 0, 0, 0], 8);
    return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", header), chunk("IDAT", deflateSync(rows, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (crcTable[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

// ── the pictures ─────────────────────────────────────────────────────────────────────────────

/** A roasted coffee bean with its crease, turned by `angle`. */
function bean(canvas: Canvas, cx: number, cy: number, scale: number, angle: number): void {
  canvas.fill(box(cx, cy, 34 * scale, 48 * scale, 17 * scale, angle), hex("#5b3624"), { shade: 0.4 });
  const sway = (t: number): readonly [number, number] => {
    const along = (t - 0.5) * 40 * scale;
    const across = Math.sin(t * Math.PI * 2) * 4 * scale;
    return [cx + across * Math.cos(angle) - along * Math.sin(angle), cy + across * Math.sin(angle) + along * Math.cos(angle)];
  };
  for (let i = 0; i < 8; i += 1) {
    const [ax, ay] = sway(0.1 + i * 0.1);
    const [bx, by] = sway(0.2 + i * 0.1);
    canvas.fill(segment(ax, ay, bx, by, 3.2 * scale), hex("#2f1a10"));
  }
}

function coffeeBag(canvas: Canvas): void {
  canvas.background(hex("#f6e7d3"), hex("#e9c9a4"));
  canvas.shadow(240, 418, 130, 18);
  const bag = polygon([[150, 128], [330, 128], [352, 410], [128, 410]]);
  canvas.fill(bag, hex("#c79a67"), { shade: 0.35 });
  canvas.fill(box(240, 118, 184, 36, 6), hex("#b08154"), { shade: 0.3 });
  for (let x = 158; x <= 322; x += 12) canvas.fill(segment(x, 104, x, 132, 2), hex("#9c6e45"));
  canvas.fill(box(240, 272, 150, 130, 14), hex("#fbf4ea"));
  canvas.fill(ring(box(240, 272, 138, 118, 10), 2.5), hex("#c79a67"));
  bean(canvas, 240, 262, 1.35, 0.35);
  canvas.fill(box(240, 322, 96, 8, 4), hex("#8a5a3a"));
  bean(canvas, 92, 392, 0.9, -0.6);
  bean(canvas, 392, 398, 0.85, 0.9);
  bean(canvas, 410, 360, 0.75, 0.2);
}

function teaCup(canvas: Canvas, tea: Rgb, background: readonly [Rgb, Rgb]): void {
  canvas.background(background[0], background[1]);
  canvas.shadow(240, 392, 170, 22);
  canvas.fill(ellipse(240, 372, 170, 30), hex("#f4f1ea"), { shade: 0.2 });
  canvas.fill(ring(ellipse(240, 368, 120, 16), 3), hex("#ddd6c8"));
  canvas.fill(ring(ellipse(352, 262, 44, 48), 16), hex("#f7f4ee"), { shade: 0.25 });
  const cup = intersect(ellipse(240, 226, 132, 144), box(240, 290, 300, 160));
  canvas.fill(union(cup, ellipse(240, 226, 132, 28)), hex("#fbf9f4"), { shade: 0.28 });
  canvas.fill(ellipse(240, 228, 120, 22), tea);
  canvas.fill(ellipse(212, 222, 42, 7), [255, 255, 255], { alpha: 0.35 });
  for (const x of [200, 240, 280]) {
    const wave: Shape = (px, py) => (py > 196 || py < 80 ? 99 : Math.abs(px - (x + Math.sin((py - 80) / 18) * 10)) - 4);
    canvas.fill(wave, [255, 255, 255], { alpha: 0.55 });
  }
}

function matchaBowl(canvas: Canvas): void {
  canvas.background(hex("#eef3e2"), hex("#cfdcb4"));
  canvas.shadow(220, 398, 160, 20);
  const bowl = intersect(ellipse(220, 250, 150, 150), box(220, 330, 320, 160));
  canvas.fill(union(bowl, ellipse(220, 250, 150, 30)), hex("#3d4a3f"), { shade: 0.35 });
  canvas.fill(ellipse(220, 252, 138, 24), hex("#7fae3e"));
  canvas.fill(ellipse(196, 248, 60, 9), hex("#a8cf66"), { alpha: 0.8 });
  canvas.fill(box(220, 396, 110, 14, 6), hex("#2f392f"));
  // The bamboo scoop, leaning on the bowl.
  canvas.fill(box(376, 168, 22, 160, 11, 0.42), hex("#d9b77a"), { shade: 0.3 });
  canvas.fill(box(346, 246, 46, 30, 14, 0.42), hex("#e8cf9c"), { shade: 0.2 });
}

function dripper(canvas: Canvas): void {
  canvas.background(hex("#e8eef5"), hex("#c8d5e6"));
  canvas.shadow(240, 414, 140, 18);
  canvas.fill(box(240, 334, 190, 150, 26), hex("#d26a4a"), { shade: 0.3 });
  canvas.fill(ring(ellipse(352, 330, 40, 46), 18), hex("#c25d3f"), { shade: 0.2 });
  canvas.fill(ellipse(240, 262, 96, 14), hex("#b4503a"));
  canvas.fill(box(240, 250, 230, 18, 8), hex("#fdfdfd"), { shade: 0.2 });
  canvas.fill(polygon([[138, 98], [342, 98], [262, 242], [218, 242]]), hex("#fdfdfd"), { shade: 0.3 });
  canvas.fill(ellipse(240, 98, 102, 16), hex("#e9e9e9"));
  canvas.fill(ellipse(240, 100, 88, 11), hex("#7a4a2c"));
  for (const offset of [-30, 0, 30]) canvas.fill(segment(240 + offset * 1.6, 120, 240 + offset * 0.3, 232, 3), hex("#e6e6e6"));
}

function frenchPress(canvas: Canvas): void {
  canvas.background(hex("#f3ece4"), hex("#ddcbb8"));
  canvas.shadow(232, 420, 120, 16);
  const glass = box(232, 280, 170, 250, 14);
  canvas.fill(glass, hex("#e4edf2"), { alpha: 0.45 });
  canvas.fill(box(232, 318, 158, 172, 8), hex("#4a2a19"), { shade: 0.3 });
  canvas.fill(box(232, 228, 158, 10, 4), hex("#c89b6d"));
  canvas.fill(ring(glass, 5), hex("#9aa7ae"), { shade: 0.3 });
  canvas.fill(box(170, 280, 10, 220, 5), [255, 255, 255], { alpha: 0.5 });
  canvas.fill(segment(232, 150, 232, 226, 8), hex("#7b858b"));
  canvas.fill(box(232, 148, 190, 24, 10), hex("#2e3235"), { shade: 0.3 });
  canvas.fill(circle(232, 118, 14), hex("#2e3235"));
  canvas.fill(segment(232, 118, 232, 140, 8), hex("#2e3235"));
  canvas.fill(box(232, 410, 190, 16, 6), hex("#2e3235"));
  canvas.fill(ring(box(346, 292, 56, 150, 24), 16), hex("#2e3235"), { shade: 0.2 });
}

function chocolate(canvas: Canvas): void {
  canvas.background(hex("#f8ebe6"), hex("#e8c8bd"));
  canvas.shadow(222, 392, 180, 20);
  const angle = -0.12;
  canvas.fill(box(218, 250, 300, 200, 12, angle), hex("#4b2a1b"), { shade: 0.3 });
  for (let row = 0; row < 3; row += 1) {
    for (let col = 0; col < 4; col += 1) {
      const lx = (col - 1.5) * 70;
      const ly = (row - 1) * 62;
      const cx = 218 + lx * Math.cos(angle) - ly * Math.sin(angle);
      const cy = 250 + lx * Math.sin(angle) + ly * Math.cos(angle);
      canvas.fill(box(cx, cy, 58, 50, 6, angle), hex("#5e3624"), { shade: 0.3 });
      canvas.fill(box(cx - 4, cy - 4, 44, 36, 6, angle), hex("#6b3f2b"), { shade: 0.2 });
    }
  }
  const foil = subtract(box(338, 270, 170, 230, 8, angle), box(214, 250, 120, 260, 0, angle + 0.5));
  canvas.fill(foil, hex("#c9ccd2"), { shade: 0.5 });
  canvas.fill(box(398, 262, 90, 236, 6, angle), hex("#8e2f3a"), { shade: 0.3 });
  canvas.fill(box(398, 262, 60, 70, 30, angle), hex("#f3e4c8"));
}

const pictures: Readonly<Record<string, (canvas: Canvas) => void>> = {
  "eth-yirgacheffe.png": coffeeBag,
  "sencha.png": (canvas) => teaCup(canvas, hex("#b9c76a"), [hex("#f1f5e4"), hex("#d5e0b5")]),
  "matcha.png": matchaBowl,
  "hario-v60.png": dripper,
  "french-press.png": frenchPress,
  "dark-chocolate.png": chocolate,
};

for (const [name, draw] of Object.entries(pictures)) {
  const canvas = new Canvas();
  draw(canvas);
  const png = canvas.png();
  writeFileSync(new URL(`./${name}`, import.meta.url), png);
  process.stdout.write(`${name}: ${(png.length / 1024).toFixed(1)} KB\n`);
}
