// GLSL for vtk.js's CUSTOM colour mix of independent components. vtk's default mix adds the
// components' colours weighted by their mix weight only, so a transparent label background
// darkens the image; here each component counts by its opacity, which keeps the image's
// brightness where there is no label and tints it where there is one.
//
// Label maps get smooth edges without inventing ids. The shader reads exact ids with
// texelFetch (the linearly filtered sample only flags where ids change): the opacity is the trilinear interpolation of the opacities of the 8 voxels around the
// sample, each looked up from its own exact id, and the colour is that of the nearest voxel's
// id (or, where the nearest voxel is background or hidden, of the visible ids around it). A
// tumour touching background thus fades out in tumour colour, with no liver-coloured shell,
// and an atlas shows no colours of ids that are not there. The surface of a label is lit by
// the gradient of that smooth opacity.

/** How much the light shapes a label's surface (1: fully lit, 0: flat colour). */
const LABEL_SHADING = 0.5;

/**
 * How far a label's colour tints a sample it covers at full blend, whatever the image's own
 * opacity there: mixing by opacity alone lets a dense image (an MR head's surface) hide the
 * label it holds; with the tint the label paints that surface, as a slice overlay does.
 */
const LABEL_TINT = 0.5;

// Transfer-function lookups at an explicit level of detail: implicit-LOD lookups in a branch
// make software WebGL compute derivatives for every pixel, taken or not.
const opacityOf = (value: string, c: number) =>
  `textureLod(opacityTexture, vec2(${value} * volume.opacityTextureScale[${c}] + volume.opacityTextureShift[${c}], h), 0.0).r`;
const colorOf = (value: string, c: number) =>
  `textureLod(colorTexture, vec2(${value} * volume.colorTextureScale[${c}] + volume.colorTextureShift[${c}], h), 0.0).rgb`;

/**
 * The 8 voxels around the sample, unrolled with scalar names: arrays indexed in loops are
 * slow in software WebGL (SwiftShader), even in a branch that is not taken.
 */
function corners(c: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < 8; i++) {
    const bits = [i & 1, (i >> 1) & 1, i >> 2];
    const weight = (axis: number) => {
      const comp = "xyz"[axis];
      return bits[axis] ? `f.${comp}` : `(1.0 - f.${comp})`;
    };
    const sign = bits.map((b) => (b ? "1.0" : "-1.0")).join(", ");
    lines.push(
      "      {",
      `        ivec3 p = clamp(lo + ivec3(${bits.join(", ")}), ivec3(0), top);`,
      `        float vi = texelFetch(volumeTexture[${c}], p, 0).r;`,
      `        float ai = ${opacityOf("vi", c)};`,
      `        vec3 ci = ${colorOf("vi", c)};`,
      `        float wx = ${weight(0)}; float wy = ${weight(1)}; float wz = ${weight(2)};`,
      "        float wi = wx * wy * wz;",
      "        a += wi * ai;",
      "        mixed += wi * ai * ci;",
      `        grad += vec3(${sign}) * vec3(wy * wz, wx * wz, wx * wy) * ai;`,
      "        peak = max(peak, ai);",
      "      }",
    );
  }
  return lines;
}

function labelSample(c: number, lit: boolean): string[] {
  return [
    "{",
    `  float h = volume.transferFunctionsSampleHeight[${c}];`,
    "  vec3 col = vec3(0.0);",
    "  float a = 0.0;",
    "  float presence = 0.0;",
    `  if (volume.independentComponentMix[${c}] > 0.0) {`,
    "    vec3 g = posIS * vec3(volume.dimensions) - 0.5;",
    "    vec3 f = g - floor(g);",
    "    ivec3 lo = ivec3(floor(g));",
    "    ivec3 top = volume.dimensions - 1;",
    "    ivec3 np = clamp(ivec3(floor(posIS * vec3(volume.dimensions))), ivec3(0), top);",
    `    float nv = texelFetch(volumeTexture[${c}], np, 0).r;`,
    "    // the texture is filtered linearly: where that equals the nearest id, the 8 voxels",
    "    // around hold that one id (away from class boundaries, most samples)",
    `    bool same = abs(tValue[${c}] - nv) <= 1e-5 * max(1.0, abs(nv));`,
    "    if (same) {",
    `      a = ${opacityOf("nv", c)};`,
    `      col = ${colorOf("nv", c)};`,
    "    } else {",
    "      vec3 mixed = vec3(0.0);",
    "      vec3 grad = vec3(0.0);",
    "      float peak = 0.0;",
    ...corners(c),
    `      float nearestA = ${opacityOf("nv", c)};`,
    `      vec3 nearestCol = ${colorOf("nv", c)};`,
    "      col = nearestA > 0.0 ? nearestCol : mixed / max(a, 1e-6);",
    "      presence = a / max(peak, 1e-6);",
    ...(lit
      ? [
          "      #if vtkNumberOfLights > 0",
          "        float glen = length(grad);",
          "        if (glen > 0.0) {",
          "          vec3 n = normalize(normalISToVC(grad * volume.inverseSpacing));",
          "          float shade = clamp(glen / max(peak, 1e-6), 0.0, 1.0);",
          `          col = mix(col, applyLighting(col, vec4(n, glen)), ${LABEL_SHADING.toFixed(2)} * shade);`,
          "        }",
          "      #endif",
        ]
      : []),
    "    }",
    "  }",
    `  float tint = presence * volume.independentComponentMix[${c}];`,
    "  if (tint > nbvTint) {",
    "    nbvTint = tint;",
    "    nbvTintColor = col;",
    "  }",
    `  a *= volume.independentComponentMix[${c}];`,
    "  nbvColor += col * a;",
    "  nbvAlpha += a;",
    "}",
  ];
}

/**
 * A heat map: its colour and threshold-gated opacity from its own transfer functions, unlit
 * (a map of values, not a surface), tinting the samples it covers by its opacity as labels do.
 */
function heatmapSample(c: number): string[] {
  return [
    "{",
    `  float h = volume.transferFunctionsSampleHeight[${c}];`,
    `  vec3 col = ${colorOf(`tValue[${c}]`, c)};`,
    `  float a = ${opacityOf(`tValue[${c}]`, c)} * volume.independentComponentMix[${c}];`,
    `  float tint = a > 0.0 ? volume.independentComponentMix[${c}] : 0.0;`,
    "  if (tint > nbvTint) {",
    "    nbvTint = tint;",
    "    nbvTintColor = col;",
    "  }",
    "  nbvColor += col * a;",
    "  nbvAlpha += a;",
    "}",
  ];
}

/**
 * The image's gradient (normal in VC, magnitude in .a) as vtk's computeMat4Normal gives it,
 * from the image's own texture only: vtk's computes every component's, and the six extra
 * linear taps into each label texture would cost as much as the image's.
 */
function imageNormal(c: number): string[] {
  const tap = (sign: string, axis: string) =>
    `texture(volumeTexture[${c}], posIS ${sign} vec3(${axis})).r`;
  const x = "volume.inverseDimensions.x, 0.0, 0.0";
  const y = "0.0, volume.inverseDimensions.y, 0.0";
  const z = "0.0, 0.0, volume.inverseDimensions.z";
  return [
    "  #if defined(EnabledGradientOpacity) || vtkNumberOfLights > 0",
    "    vec3 nbvD = vec3(",
    `      ${tap("+", x)} - ${tap("-", x)},`,
    `      ${tap("+", y)} - ${tap("-", y)},`,
    `      ${tap("+", z)} - ${tap("-", z)}) * 0.5 * volume.inverseSpacing;`,
    "    float nbvLen = length(nbvD);",
    "    vec4 nbvNormal = vec4(nbvLen > 0.0 ? normalize(normalISToVC(nbvD)) : nbvD, nbvLen);",
    "  #endif",
  ];
}

export function customColorMix(
  components: number,
  litComponent: number | null,
  labelComponents: readonly number[] = [],
  heatmapComponents: readonly number[] = [],
): string {
  const lines = [
    "vec3 nbvColor = vec3(0.0);",
    "float nbvAlpha = 0.0;",
    "vec3 nbvTintColor = vec3(0.0);",
    "float nbvTint = 0.0;",
  ];
  for (let c = 0; c < components; c++) {
    if (labelComponents.includes(c)) {
      lines.push(...labelSample(c, litComponent !== null));
      continue;
    }
    if (heatmapComponents.includes(c)) {
      lines.push(...heatmapSample(c));
      continue;
    }
    lines.push(
      "{",
      ...imageNormal(c),
      `  float h = volume.transferFunctionsSampleHeight[${c}];`,
      `  vec3 col = getColorFromTexture(tValue[${c}], ${c}, h);`,
      `  float a = getOpacityFromTexture(tValue[${c}], ${c}, h) * volume.independentComponentMix[${c}];`,
      "  #ifdef EnabledGradientOpacity",
      `    a *= computeGradientOpacityFactor(nbvNormal.a, ${c});`,
      "  #endif",
    );
    if (c === litComponent) {
      lines.push(
        "  #if vtkNumberOfLights > 0",
        `    col = applyLighting(col, nbvNormal);`,
        "  #endif",
      );
    }
    lines.push("  nbvColor += col * a;", "  nbvAlpha += a;", "}");
  }
  lines.push(
    "vec3 nbvMixed = nbvColor / max(nbvAlpha, 1e-6);",
    `nbvMixed = mix(nbvMixed, nbvTintColor, ${LABEL_TINT.toFixed(2)} * nbvTint);`,
    "return vec4(nbvMixed, min(nbvAlpha, 1.0));",
  );
  return lines.join("\n");
}
