// Colours for class ids, for any number of classes. The first ids get hand-picked strong
// colours; later ids come from a deterministic farthest-point walk over OKLab (a perceptual
// space): each new colour is the candidate farthest from every colour already taken, so a
// 116-region atlas gets 116 colours that stay apart. Near-greys and dark shades are not
// candidates (they vanish against a grey image and a black background). The sequence is
// prefix-stable: id k gets the same colour whatever the number of ids.

export type RGB = [number, number, number];

/** Ground truth: red, green, blue first, as in most segmentation tools. */
const LABEL_SEEDS: readonly RGB[] = [
  [0.9, 0.12, 0.12], // red
  [0.12, 0.78, 0.2], // green
  [0.2, 0.4, 1.0], // blue
  [1.0, 0.85, 0.1], // yellow
  [0.85, 0.2, 0.9], // magenta
  [0.1, 0.85, 0.9], // cyan
  [1.0, 0.55, 0.1], // orange
  [0.6, 0.35, 1.0], // violet
  [0.55, 0.95, 0.45], // light green
  [1.0, 0.55, 0.7], // pink
];

/**
 * Predictions: the same class gets a colour far from its ground-truth colour (cyan where the
 * label is red, orange where it is green...) so both can be told apart where they overlap.
 */
const PREDICTION_SEEDS: readonly RGB[] = [
  [0.1, 0.85, 0.9], // cyan
  [1.0, 0.55, 0.1], // orange
  [1.0, 0.85, 0.1], // yellow
  [0.85, 0.2, 0.9], // magenta
  [0.12, 0.78, 0.2], // green
  [0.2, 0.4, 1.0], // blue
  [1.0, 0.55, 0.7], // pink
  [0.55, 0.95, 0.45], // light green
  [0.9, 0.12, 0.12], // red
  [0.6, 0.35, 1.0], // violet
];

/** Colours beyond this many repeat (the candidate set holds a few thousand). */
export const MAX_DISTINCT_COLORS = 1024;

function toLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function fromLinear(c: number): number {
  return c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
}

/** sRGB (0..1) -> OKLab [L, a, b]. */
export function rgbToOklab([r, g, b]: RGB): [number, number, number] {
  const lr = toLinear(r);
  const lg = toLinear(g);
  const lb = toLinear(b);
  const l = Math.cbrt(0.4122214708 * lr + 0.5363325363 * lg + 0.0514459929 * lb);
  const m = Math.cbrt(0.2119034982 * lr + 0.6806995451 * lg + 0.1073969566 * lb);
  const s = Math.cbrt(0.0883024619 * lr + 0.2817188376 * lg + 0.6299787005 * lb);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

/** OKLab -> sRGB (0..1), or null outside the sRGB gamut. */
export function oklabToRgb(L: number, a: number, b: number): RGB | null {
  const l = (L + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (L - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const linear = [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ];
  if (linear.some((c) => c < -1e-6 || c > 1 + 1e-6)) return null;
  return linear.map((c) => Math.min(1, Math.max(0, fromLinear(c)))) as RGB;
}

export function oklabDistance(x: RGB, y: RGB): number {
  const [l1, a1, b1] = rgbToOklab(x);
  const [l2, a2, b2] = rgbToOklab(y);
  return Math.hypot(l1 - l2, a1 - a2, b1 - b2);
}

interface Candidate {
  rgb: RGB;
  lab: [number, number, number];
}

let candidates: Candidate[] | null = null;

/** In-gamut OKLCH samples: lightness 0.5..0.92, chroma >= 0.09 (no near-greys), all hues. */
function candidateColors(): Candidate[] {
  if (candidates) return candidates;
  candidates = [];
  for (let L = 0.5; L <= 0.921; L += 0.03) {
    for (const chroma of [0.09, 0.12, 0.15, 0.18, 0.21, 0.24]) {
      for (let hue = 0; hue < 360; hue += 5) {
        const h = (hue * Math.PI) / 180;
        const rgb = oklabToRgb(L, chroma * Math.cos(h), chroma * Math.sin(h));
        if (rgb) candidates.push({ rgb, lab: rgbToOklab(rgb) });
      }
    }
  }
  return candidates;
}

class Palette {
  private readonly colors: RGB[] = [];
  private nearest: Float64Array | null = null;

  constructor(private readonly seeds: readonly RGB[]) {}

  /** The colour of class `id` (1-based); ids past MAX_DISTINCT_COLORS repeat. */
  color(id: number): RGB {
    const index =
      (((Math.trunc(id) - 1) % MAX_DISTINCT_COLORS) + MAX_DISTINCT_COLORS) % MAX_DISTINCT_COLORS;
    while (this.colors.length <= index) this.extend();
    return this.colors[index] as RGB;
  }

  private extend(): void {
    const pool = candidateColors();
    const next =
      this.colors.length < this.seeds.length
        ? (this.seeds[this.colors.length] as RGB)
        : (pool[this.farthest()] as Candidate).rgb;
    this.colors.push(next);
    // squared distance from each candidate to its nearest colour taken so far
    const nearest = this.nearest ?? new Float64Array(pool.length).fill(Number.POSITIVE_INFINITY);
    const [L, a, b] = rgbToOklab(next);
    pool.forEach((c, i) => {
      const d = (c.lab[0] - L) ** 2 + (c.lab[1] - a) ** 2 + (c.lab[2] - b) ** 2;
      if (d < (nearest[i] as number)) nearest[i] = d;
    });
    this.nearest = nearest;
  }

  private farthest(): number {
    const nearest = this.nearest as Float64Array;
    let best = 0;
    for (let i = 1; i < nearest.length; i++) {
      if ((nearest[i] as number) > (nearest[best] as number)) best = i;
    }
    return best;
  }
}

export const LABEL_PALETTE = new Palette(LABEL_SEEDS);
export const PREDICTION_PALETTE = new Palette(PREDICTION_SEEDS);
export type { Palette };

export function hexColor([r, g, b]: RGB): string {
  const byte = (c: number) =>
    Math.round(Math.min(1, Math.max(0, c)) * 255)
      .toString(16)
      .padStart(2, "0");
  return `#${byte(r)}${byte(g)}${byte(b)}`;
}

/** "#rrggbb" -> RGB (0..1); null when it is not that form. */
export function parseHexColor(text: string): RGB | null {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
  if (!match) return null;
  return [1, 2, 3].map((i) => Number.parseInt(match[i] as string, 16) / 255) as RGB;
}
