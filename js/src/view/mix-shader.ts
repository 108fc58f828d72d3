// GLSL for vtk.js's CUSTOM colour mix of independent components. vtk's default mix adds the
// components' colours weighted by their mix weight only, so a transparent label background
// darkens the image; here each component counts by its opacity, which keeps the image's
// brightness where there is no label and tints it where there is one.

export function customColorMix(components: number, litComponent: number | null): string {
  const lines = [
    "#if defined(EnabledGradientOpacity) || vtkNumberOfLights > 0",
    "  mat4 nbvNormals = computeMat4Normal(posIS, tValue);",
    "#endif",
    "vec3 nbvColor = vec3(0.0);",
    "float nbvAlpha = 0.0;",
  ];
  for (let c = 0; c < components; c++) {
    lines.push(
      "{",
      `  float h = volume.transferFunctionsSampleHeight[${c}];`,
      `  vec3 col = getColorFromTexture(tValue[${c}], ${c}, h);`,
      `  float a = getOpacityFromTexture(tValue[${c}], ${c}, h) * volume.independentComponentMix[${c}];`,
      "  #ifdef EnabledGradientOpacity",
      `    a *= computeGradientOpacityFactor(nbvNormals[${c}].a, ${c});`,
      "  #endif",
    );
    if (c === litComponent) {
      lines.push(
        "  #if vtkNumberOfLights > 0",
        `    col = applyLighting(col, nbvNormals[${c}]);`,
        "  #endif",
      );
    }
    lines.push("  nbvColor += col * a;", "  nbvAlpha += a;", "}");
  }
  lines.push("return vec4(nbvColor / max(nbvAlpha, 1e-6), min(nbvAlpha, 1.0));");
  return lines.join("\n");
}
