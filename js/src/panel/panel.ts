// The control panel: each control mirrors one synced trait. Panel edits set the trait and save;
// trait changes from Python move the control. Controls that do not apply are disabled.

import { COLORMAP_NAMES } from "../colormaps";
import { COMPARE_MODES, readCompare } from "../compare";
import {
  DISPLAY_TRAITS,
  type ModelLike,
  OVERLAY_STYLES,
  readChannel,
  readChannelNames,
  readDisplay,
  readStep,
  readSteps,
  VIEW_MODES,
} from "../model";
import type { DecodedVolume } from "../payload";
import { PRESET_NAMES } from "../presets";
import {
  checkbox,
  formatNumber,
  numberInput,
  range,
  select,
  setEnabled,
  setShown,
} from "./controls";
import { HeatmapControls } from "./heatmap-controls";
import { Legend, type LegendMaps } from "./legend";
import { MetricsTable } from "./metrics-table";
import { TransferEditor } from "./transfer-editor";

/** What the panel needs to know of the data on screen. */
export interface PanelContext {
  /** the image's finite range, null without an image */
  imageRange: [number, number] | null;
  hasOverlay: boolean;
  /** slices along the current 2D view's axis; 0 in volume and quad modes */
  sliceCount: number;
  /** the array axis (the cursor's order) the single 2D view steps along, else null */
  sliceAxis?: number | null;
  /** the image on screen, for the transfer-function editor's histogram */
  image?: DecodedVolume | null;
  /** the label maps on screen and the class ids each holds */
  labelMaps?: readonly LegendMaps[];
  /** the heat map on screen, for its controls and colour bar */
  heatmap?: DecodedVolume | null;
  /** how many channels the step's image holds */
  channels?: number;
}

const WATCHED = [
  ...DISPLAY_TRAITS,
  "step",
  "steps",
  "run",
  "runs",
  "compare",
  "_metrics",
  "channel",
  "channel_names",
];

/** What the panel's buttons do in the view. */
export interface PanelActions {
  /** save the picture on screen as a PNG file */
  download(): void;
}

export class Panel {
  readonly element: HTMLDivElement;
  private context: PanelContext = { imageRange: null, hasOverlay: false, sliceCount: 0 };
  private readonly run = select("run", "run", []);
  private readonly viewMode = select("view", "view_mode", VIEW_MODES);
  private readonly step = range("step", "step", 0, 0, 1);
  private readonly slice = range("slice", "cursor", 0, 0, 1);
  private readonly cmap = select("colormap", "cmap", COLORMAP_NAMES);
  private readonly vmin = numberInput("min", "vmin");
  private readonly vmax = numberInput("max", "vmax");
  private readonly preset = select("preset", "preset", PRESET_NAMES);
  private readonly transfer: TransferEditor;
  private readonly sampleDistance = range("sampling", "sample_distance", 0, 1, 0.01);
  private readonly gradientOpacity = range("gradient", "gradient_opacity", 0, 1, 0.01);
  private readonly labelBlend = range("label blend", "label_blend", 0, 1, 0.01);
  private readonly labelVisible = checkbox("label", "label_visible");
  private readonly overlayStyle = select("overlay", "overlay_style", OVERLAY_STYLES);
  private readonly compare = select("compare", "compare", COMPARE_MODES);
  private readonly legend: Legend;
  private readonly metrics: MetricsTable;
  private readonly channel = select("channel", "channel", []);
  private readonly heatmap: HeatmapControls;
  private readonly downloadButton: HTMLButtonElement;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly model: ModelLike,
    actions: PanelActions | null = null,
  ) {
    this.element = document.createElement("div");
    this.element.className = "nbviewer3d-panel";
    this.transfer = new TransferEditor(model);
    this.downloadButton = document.createElement("button");
    this.downloadButton.type = "button";
    this.downloadButton.textContent = "save PNG";
    this.downloadButton.title = "download the picture on screen as a PNG file";
    this.downloadButton.setAttribute("aria-label", "save the picture as PNG");
    this.downloadButton.dataset.control = "download";
    this.downloadButton.hidden = actions === null;
    this.element.append(
      ...[
        this.run,
        this.viewMode,
        this.step,
        this.slice,
        this.cmap,
        this.vmin,
        this.vmax,
        this.preset,
        this.sampleDistance,
        this.gradientOpacity,
        this.labelVisible,
        this.labelBlend,
        this.overlayStyle,
        this.compare,
      ].map((c) => c.label),
      this.transfer.element,
    );
    this.element.append(this.downloadButton);
    this.listen(this.downloadButton, "click", () => actions?.download());
    this.listen(this.run.input, "change", () => this.save("run", this.run.input.value));
    this.listen(this.preset.input, "change", () => this.save("preset", this.preset.input.value));
    this.legend = new Legend(model);
    this.metrics = new MetricsTable(model);
    this.element.append(this.legend.element, this.metrics.element);
    this.listen(this.compare.input, "change", () => this.save("compare", this.compare.input.value));
    this.heatmap = new HeatmapControls(model);
    this.element.insertBefore(this.channel.label, this.cmap.label);
    this.element.append(this.heatmap.element);
    this.listen(this.channel.input, "change", () =>
      this.save("channel", Number(this.channel.input.value)),
    );
    this.listen(this.overlayStyle.input, "change", () =>
      this.save("overlay_style", this.overlayStyle.input.value),
    );
    this.listen(this.viewMode.input, "change", () =>
      this.save("view_mode", this.viewMode.input.value),
    );
    this.listen(this.cmap.input, "change", () => this.save("cmap", this.cmap.input.value));
    this.listen(this.step.input, "input", () => {
      this.step.output.textContent = String(this.stepAt(this.step.input.valueAsNumber));
    });
    // Steps fetch voxels: commit on release, not on every pixel of a drag.
    this.listen(this.step.input, "change", () =>
      this.save("step", this.stepAt(this.step.input.valueAsNumber)),
    );
    this.listen(this.slice.input, "input", () => {
      this.slice.output.textContent = this.slice.input.value;
      this.saveSlice(this.slice.input.valueAsNumber);
    });
    this.listenSlider(this.sampleDistance, "sample_distance", formatNumber);
    this.listenSlider(this.gradientOpacity, "gradient_opacity", formatNumber);
    this.listenSlider(this.labelBlend, "label_blend", formatNumber);
    this.listen(this.labelVisible.input, "change", () =>
      this.save("label_visible", this.labelVisible.input.checked),
    );
    this.listen(this.vmin.input, "change", () => this.saveRange());
    this.listen(this.vmax.input, "change", () => this.saveRange());
    const sync = () => this.sync();
    for (const name of WATCHED) this.model.on(`change:${name}`, sync);
    this.cleanups.push(() => {
      for (const name of WATCHED) this.model.off(`change:${name}`, sync);
    });
    this.sync();
  }

  setContext(context: PanelContext): void {
    this.context = context;
    this.transfer.setImage(context.image ?? null);
    this.sync();
  }

  /** Puts every control in line with the model's traits and the data's context. */
  sync(): void {
    const display = readDisplay(this.model);
    const steps = readSteps(this.model);
    const step = readStep(this.model);
    const volumeMode = display.viewMode === "volume";
    // quad holds a 3D pane and slice panes: it takes both kinds of controls
    const has3D = volumeMode || display.viewMode === "quad";
    const hasSlices = !volumeMode;

    this.syncRuns();
    this.viewMode.input.value = display.viewMode;
    this.step.input.max = String(Math.max(0, steps.length - 1));
    this.step.input.value = String(Math.max(0, steps.indexOf(step)));
    this.step.output.textContent = String(step);
    setEnabled(this.step, steps.length > 1);

    const count = this.context.sliceCount;
    const axis =
      volumeMode || display.viewMode === "quad" ? null : (this.context.sliceAxis ?? null);
    setShown(this.slice, axis !== null);
    this.slice.input.max = String(Math.max(0, count - 1));
    const at = axis === null ? undefined : display.cursor?.[axis];
    const slice = at === undefined ? Math.floor((count - 1) / 2) : Math.min(count - 1, at);
    this.slice.input.value = String(Math.max(0, slice));
    this.slice.output.textContent = count > 0 ? String(slice) : "";
    setEnabled(this.slice, count > 1);

    this.cmap.input.value = display.cmap;
    const imageRange = this.context.imageRange;
    for (const [control, value] of [
      [this.vmin, display.vmin ?? imageRange?.[0]],
      [this.vmax, display.vmax ?? imageRange?.[1]],
    ] as const) {
      if (document.activeElement !== control.input) {
        control.input.value = value === undefined ? "" : formatNumber(value);
      }
      if (imageRange) {
        control.input.min = String(imageRange[0]);
        control.input.max = String(imageRange[1]);
        control.input.step = String((imageRange[1] - imageRange[0]) / 100 || "any");
      }
      setEnabled(control, imageRange !== null);
    }
    setEnabled(this.cmap, imageRange !== null);
    // in 3D the preset decides colour and opacity; slices keep cmap over vmin..vmax
    this.preset.input.value = display.preset ?? "";
    setShown(this.preset, has3D);
    setEnabled(this.preset, imageRange !== null);
    this.transfer.element.hidden = !has3D;
    if (has3D) this.transfer.sync(display);

    this.setSlider(this.sampleDistance, display.sampleDistance);
    setShown(this.sampleDistance, has3D);
    this.setSlider(this.gradientOpacity, display.gradientOpacity);
    setShown(this.gradientOpacity, has3D);
    this.setSlider(this.labelBlend, display.labelBlend);
    this.labelVisible.input.checked = display.labelVisible;
    setEnabled(this.labelVisible, this.context.hasOverlay);
    setEnabled(this.labelBlend, this.context.hasOverlay && display.labelVisible);
    this.overlayStyle.input.value = display.overlayStyle;
    setShown(this.overlayStyle, hasSlices);
    setEnabled(this.overlayStyle, this.context.hasOverlay && display.labelVisible);
    const roles = (this.context.labelMaps ?? []).map((m) => m.role);
    this.compare.input.value = readCompare(this.model.get("compare"));
    setEnabled(this.compare, roles.includes("label") && roles.includes("prediction"));
    this.legend.sync(this.context.labelMaps ?? []);
    this.metrics.sync();
    this.heatmap.setHeatmap(this.context.heatmap ?? null);
    this.syncChannels();
  }

  /** One option per image channel, named by channel_names where given; hidden for one. */
  private syncChannels(): void {
    const count = this.context.channels ?? 0;
    const names = readChannelNames(this.model);
    const labels = Array.from({ length: count }, (_, c) =>
      names[c] ? `${c}: ${names[c]}` : String(c),
    );
    const input = this.channel.input;
    if ([...input.options].map((o) => o.textContent).join("\n") !== labels.join("\n")) {
      input.replaceChildren(
        ...labels.map((text, c) => {
          const option = document.createElement("option");
          option.value = String(c);
          option.textContent = text;
          return option;
        }),
      );
    }
    input.value = String(readChannel(this.model));
    setShown(this.channel, count > 1);
  }

  /** The run menu lists the logdir's runs (names are text, never markup); hidden for one run. */
  private syncRuns(): void {
    const raw = this.model.get("runs");
    const runs = Array.isArray(raw) ? raw.filter((r): r is string => typeof r === "string") : [];
    const listed = [...this.run.input.options].map((o) => o.value);
    if (listed.length !== runs.length || listed.some((r, i) => r !== runs[i])) {
      this.run.input.replaceChildren(
        ...runs.map((name) => {
          const option = document.createElement("option");
          option.value = name;
          option.textContent = name;
          return option;
        }),
      );
    }
    const current = this.model.get("run");
    this.run.input.value = typeof current === "string" ? current : "";
    setShown(this.run, runs.length > 1);
  }

  dispose(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.transfer.dispose();
    this.legend.dispose();
    this.metrics.dispose();
    this.heatmap.dispose();
    this.element.remove();
  }

  private stepAt(index: number): number {
    const steps = readSteps(this.model);
    return steps[Math.min(Math.max(0, index), steps.length - 1)] ?? readStep(this.model);
  }

  private save(name: string, value: unknown): void {
    this.model.set(name, value);
    this.model.save_changes();
  }

  /** Moves the cursor to `slice` along the single slice view's axis. */
  private saveSlice(slice: number): void {
    const axis = this.context.sliceAxis;
    const cursor = readDisplay(this.model).cursor;
    if (axis === null || axis === undefined || !cursor || !Number.isInteger(slice)) return;
    const next = [...cursor];
    next[axis] = slice;
    this.save("cursor", next);
  }

  private saveRange(): void {
    const lo = this.vmin.input.valueAsNumber;
    const hi = this.vmax.input.valueAsNumber;
    if (Number.isFinite(lo) && Number.isFinite(hi) && lo < hi) {
      this.model.set("vmin", lo);
      this.model.set("vmax", hi);
      this.model.save_changes();
    } else {
      this.sync(); // vmin must stay below vmax: put the old values back
    }
  }

  private setSlider(control: ReturnType<typeof range>, value: number): void {
    control.input.value = String(value);
    control.output.textContent = formatNumber(value);
  }

  private listenSlider(
    control: ReturnType<typeof range>,
    name: string,
    format: (v: number) => string,
  ): void {
    this.listen(control.input, "input", () => {
      control.output.textContent = format(control.input.valueAsNumber);
      this.save(name, control.input.valueAsNumber);
    });
  }

  private listen(target: HTMLElement, event: string, handler: () => void): void {
    target.addEventListener(event, handler);
    this.cleanups.push(() => target.removeEventListener(event, handler));
  }
}
