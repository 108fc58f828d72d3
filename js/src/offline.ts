// Entry of the page nbviewer3d.export_html writes: loads the widget bundle embedded in the page
// (as anywidget does, from a blob URL) and renders it on an OfflineModel. No network is used.

import { type Embedded, OfflineModel } from "./offline-model";

interface Widget {
  initialize?(props: { model: OfflineModel }): unknown;
  render(props: { model: OfflineModel; el: HTMLElement }): unknown;
}

/** Inside an iframe (the srcdoc of an embedded output) the frame follows the page's height. */
function fitFrame(): void {
  let frame: { style: CSSStyleDeclaration } | null = null;
  try {
    frame = window.frameElement as { style: CSSStyleDeclaration } | null;
  } catch {
    return; // a frame of another origin: its height stays as set
  }
  // the frame element lives in the parent's realm: instanceof HTMLElement would be false
  if (!frame?.style) return;
  const style = frame.style;
  const fit = () => {
    style.height = `${document.documentElement.offsetHeight}px`;
  };
  new ResizeObserver(fit).observe(document.body);
}

async function boot(root: HTMLElement): Promise<void> {
  const data = JSON.parse(
    (document.getElementById("nbviewer3d-data") as HTMLElement).textContent ?? "",
  ) as Embedded;
  const url = URL.createObjectURL(new Blob([data.esm], { type: "text/javascript" }));
  const widget = ((await import(url)) as { default: Widget }).default;
  URL.revokeObjectURL(url);
  const model = new OfflineModel(data.state, data.steps);
  widget.initialize?.({ model });
  widget.render({ model, el: root });
  fitFrame();
}

const root = document.getElementById("nbviewer3d-root") as HTMLElement;
boot(root).catch((error: unknown) => {
  root.textContent = `nbviewer3d could not start this page: ${String(error)}`;
  console.error("nbviewer3d:", error);
});
