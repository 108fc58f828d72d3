import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");
const common = {
  bundle: true,
  target: "es2020",
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  metafile: true,
  logLevel: "info",
};
// the widget (anywidget's ESM), and the loader of pages exported without a kernel
const builds = [
  {
    ...common,
    entryPoints: ["src/widget.ts"],
    format: "esm",
    outfile: "../nbviewer3d/static/widget.js",
  },
  {
    ...common,
    entryPoints: ["src/offline.ts"],
    format: "iife",
    outfile: "../nbviewer3d/static/offline.js",
  },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  for (const options of builds) {
    const result = await esbuild.build(options);
    const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
    console.log(`${options.outfile.split("/").pop()}: ${(bytes / 1024).toFixed(0)} KiB`);
  }
}
