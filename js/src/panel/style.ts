// The widget's CSS, scoped under .nbviewer3d and injected once per page.

const CSS = `
.nbviewer3d { display: flex; flex-direction: column; gap: 6px; width: 100%;
  font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif);
  color: var(--jp-ui-font-color1, #222); }
.nbviewer3d-canvas { position: relative; width: 100%; background: #000; overflow: hidden;
  border-radius: 2px; }
.nbviewer3d-canvas > canvas.nbviewer3d-snapshot,
.nbviewer3d-canvas > canvas.nbviewer3d-released { position: absolute; inset: 0; width: 100%;
  height: 100%; pointer-events: none; }
.nbviewer3d-status { position: absolute; left: 8px; bottom: 6px; color: #ddd; font-size: 11px;
  pointer-events: none; text-shadow: 0 0 2px #000; }
.nbviewer3d-canvas:focus { outline: none; }
.nbviewer3d-canvas:focus-visible { outline: 2px solid var(--jp-brand-color1, #1976d2);
  outline-offset: 1px; }
.nbviewer3d-pane-title { position: absolute; left: 6px; top: 4px; color: #ddd;
  font: bold 11px/1 var(--jp-ui-font-family, system-ui, sans-serif); text-shadow: 0 0 2px #000;
  pointer-events: none; user-select: none; }
.nbviewer3d-readout { min-height: 18px; line-height: 18px; font-variant-numeric: tabular-nums;
  color: var(--jp-ui-font-color1, #222); }
.nbviewer3d-follow-notes { padding: 4px 10px; border-left: 3px solid #b26a00;
  background: var(--jp-warn-color3, #fff4e0); color: var(--jp-warn-color0, #5d3a00); }
.nbviewer3d-error { padding: 8px 10px; border-left: 3px solid #c62828;
  background: var(--jp-error-color3, #fdecea); color: var(--jp-error-color0, #7f1d1d); }
.nbviewer3d-panel { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; }
.nbviewer3d-panel label { display: inline-flex; align-items: center; gap: 4px; white-space: nowrap; }
.nbviewer3d [hidden] { display: none !important; }
.nbviewer3d-panel label.nbviewer3d-disabled { opacity: 0.45; }
.nbviewer3d-panel input[type="range"] { width: 110px; }
.nbviewer3d-panel input[type="number"] { width: 72px; }
.nbviewer3d-panel select { max-width: 13em; }
.nbviewer3d-tf { display: inline-flex; align-items: flex-end; gap: 4px; }
.nbviewer3d-tf canvas { width: 240px; height: 70px; border-radius: 2px; cursor: crosshair;
  touch-action: none; }
.nbviewer3d-legend { flex-basis: 100%; display: flex; flex-wrap: wrap; gap: 2px 12px;
  max-height: 96px; overflow-y: auto; }
.nbviewer3d-legend label.nbviewer3d-legend-row { gap: 3px; }
.nbviewer3d-legend-heading { flex-basis: 100%; opacity: 0.8; }
.nbviewer3d-metrics { flex-basis: 100%; }
.nbviewer3d-metrics table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
.nbviewer3d-metrics caption { text-align: left; opacity: 0.8; }
.nbviewer3d-metrics th, .nbviewer3d-metrics td { padding: 1px 8px 1px 0; text-align: right; }
.nbviewer3d-metrics th:first-child, .nbviewer3d-metrics td:first-child { text-align: left; }
.nbviewer3d-swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px;
  box-shadow: inset 0 0 0 1px rgba(0, 0, 0, 0.35); }
.nbviewer3d-curves { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
  gap: 4px 12px; max-height: 210px; overflow-y: auto; }
.nbviewer3d-curve { margin: 0; display: flex; flex-direction: column; min-width: 0; }
.nbviewer3d-curve figcaption { display: flex; gap: 6px; font-size: 11px; }
.nbviewer3d-curve canvas { width: 100%; }
.nbviewer3d-curve-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap;
  font-weight: 600; }
.nbviewer3d-curve-value { margin-left: auto; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
.nbviewer3d-curve canvas { cursor: pointer; border-radius: 2px; }
.nbviewer3d-curve canvas:focus-visible { outline: 2px solid #e8590c; outline-offset: 1px; }
.nbviewer3d-heatmap { flex-basis: 100%; display: flex; flex-wrap: wrap; gap: 4px 14px;
  align-items: center; }
.nbviewer3d-colorbar-box { display: inline-flex; flex-direction: column; gap: 1px; }
.nbviewer3d-colorbar { width: 160px; height: 12px; border-radius: 2px;
  box-shadow: inset 0 0 0 1px rgba(0, 0, 0, 0.35); }
.nbviewer3d-colorbar-ticks { position: relative; width: 160px; height: 1.3em; font-size: 10px;
  font-variant-numeric: tabular-nums; }
.nbviewer3d-colorbar-ticks > span { position: absolute; transform: translateX(-50%);
  white-space: nowrap; }
.nbviewer3d-colorbar-ticks > span:first-child { transform: none; }
.nbviewer3d-colorbar-ticks > span:last-child { transform: translateX(-100%); }
.nbviewer3d-panel output { min-width: 2.5em; font-variant-numeric: tabular-nums; }
`;

export function injectStyle(doc: Document): void {
  if (doc.getElementById("nbviewer3d-style")) return;
  const style = doc.createElement("style");
  style.id = "nbviewer3d-style";
  style.textContent = CSS;
  doc.head.appendChild(style);
}
