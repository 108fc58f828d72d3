// Load milestones for the benchmark (tests/benchmarks/bench_viewer.py): performance.now() (ms
// since navigation start) when each is first reached, shown on each view's root `.nbviewer3d`
// element as `data-timings`, a JSON object updated as milestones are reached. Only the first
// time counts: later steps, redraws and views leave the marks as they are.
//
// module      the bundle evaluated (a module-level mark in widget.ts)
// initialize  anywidget's initialize() for the model
// render      render() called for the view
// gl          the view's WebGL window and renderer created
// fetch       the model's first fetch message sent to the kernel
// received    the first step's volumes message arrived, before decoding
// decoded     its voxels decoded
// uploaded    the view's scene built (textures/mappers set), before its first render call
// frame       the view's first completed render showing volumes (the first picture, at any level)
// full        the first completed render at the level the view settles on (data-status "ready")
//
// Model milestones (initialize, fetch, received, decoded) are shared by every view of the model.

export type Milestone =
  | "module"
  | "initialize"
  | "render"
  | "gl"
  | "fetch"
  | "received"
  | "decoded"
  | "uploaded"
  | "frame"
  | "full";

type Marks = Partial<Record<Milestone, number>>;

interface ModelRecord {
  marks: Marks;
  roots: Set<HTMLElement>;
}

interface ViewRecord {
  marks: Marks;
  /** null until attachView (the view marks what it reaches inside its constructor) */
  model: ModelRecord | null;
}

let moduleMark: number | null = null;
const models = new WeakMap<object, ModelRecord>();
const views = new WeakMap<HTMLElement, ViewRecord>();

function now(): number {
  return typeof performance === "undefined" ? 0 : Math.round(performance.now() * 10) / 10;
}

function modelRecord(owner: object): ModelRecord {
  let record = models.get(owner);
  if (!record) {
    record = { marks: {}, roots: new Set() };
    models.set(owner, record);
  }
  return record;
}

function publish(root: HTMLElement, view: ViewRecord): void {
  const marks: Marks = { ...view.model?.marks, ...view.marks };
  if (moduleMark !== null) marks.module = moduleMark;
  root.dataset.timings = JSON.stringify(marks);
}

/** The bundle was evaluated (call once, at module level, last in the entry module). */
export function markModule(): void {
  moduleMark ??= now();
}

/** A milestone of the model `owner` (its ModelState): shown on all of its views. */
export function markModel(owner: object, name: Milestone): void {
  const record = modelRecord(owner);
  if (record.marks[name] !== undefined) return;
  record.marks[name] = now();
  for (const root of record.roots) {
    const view = views.get(root);
    if (view) publish(root, view);
  }
}

/** The time render() was called, to hand to attachView once the view's root exists. */
export function renderStarted(): number {
  return now();
}

/** Shows the marks on `root`, the view of model `owner` whose render() began at `render`. */
export function attachView(root: HTMLElement, owner: object, render: number): void {
  const model = modelRecord(owner);
  const view: ViewRecord = views.get(root) ?? { marks: {}, model };
  view.marks = { render, ...view.marks };
  view.model = model;
  views.set(root, view);
  model.roots.add(root);
  publish(root, view);
}

/** A milestone of the view whose root is `root` (kept, and shown from attachView on). */
export function markView(root: HTMLElement, name: Milestone): void {
  let view = views.get(root);
  if (!view) {
    view = { marks: {}, model: null };
    views.set(root, view);
  }
  if (view.marks[name] !== undefined) return;
  view.marks[name] = now();
  if (view.model) publish(root, view);
}

/** The view is gone: its root no longer follows the model's marks. */
export function detachView(root: HTMLElement): void {
  views.get(root)?.model?.roots.delete(root);
  views.delete(root);
}
