// Browsers keep about 16 live WebGL contexts a page and silently drop the oldest beyond that.
// The pool gives a viewer a context only while it is on screen, keeps at most `maxLive`
// page-wide, and takes one back from the viewer seen least recently when a new one needs it.

export interface PoolMember {
  /** Create the GL window and draw. */
  acquire(): void;
  /** Leave a snapshot of the last frame and free the GL window. */
  release(): void;
}

interface Entry {
  member: PoolMember;
  visible: boolean;
  live: boolean;
  lastSeen: number;
}

export class ContextPool {
  private readonly entries = new Map<Element, Entry>();
  private readonly observer: IntersectionObserver | null;
  private clock = 0;

  constructor(readonly maxLive: number) {
    this.observer =
      typeof IntersectionObserver === "undefined"
        ? null
        : new IntersectionObserver((records) => this.onIntersect(records), { rootMargin: "200px" });
  }

  get liveCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.live) n++;
    return n;
  }

  add(element: Element, member: PoolMember): void {
    this.entries.set(element, { member, visible: false, live: false, lastSeen: 0 });
    if (this.observer) this.observer.observe(element);
    else this.setVisible(element, true);
  }

  remove(element: Element): void {
    this.observer?.unobserve(element);
    this.entries.delete(element);
  }

  /** The element's member lost its context by itself (the browser took it). */
  markReleased(element: Element): void {
    const entry = this.entries.get(element);
    if (entry) entry.live = false;
  }

  /** Mark as just used (an interaction), so it is the last to be reclaimed. */
  touch(element: Element): void {
    const entry = this.entries.get(element);
    if (entry) entry.lastSeen = ++this.clock;
  }

  setVisible(element: Element, visible: boolean): void {
    const entry = this.entries.get(element);
    if (!entry) return;
    entry.visible = visible;
    if (!visible) return;
    entry.lastSeen = ++this.clock;
    if (entry.live) return;
    this.makeRoom(entry);
    entry.live = true;
    entry.member.acquire();
  }

  private onIntersect(records: IntersectionObserverEntry[]): void {
    for (const record of records) this.setVisible(record.target, record.isIntersecting);
  }

  private makeRoom(incoming: Entry): void {
    while (this.liveCount >= this.maxLive) {
      let oldest: Entry | null = null;
      for (const e of this.entries.values()) {
        if (!e.live || e === incoming) continue;
        // Off-screen viewers go first; among equals, the one seen longest ago.
        if (
          oldest === null ||
          (oldest.visible && !e.visible) ||
          (oldest.visible === e.visible && e.lastSeen < oldest.lastSeen)
        ) {
          oldest = e;
        }
      }
      if (oldest === null) return;
      oldest.live = false;
      oldest.member.release();
    }
  }
}

export const MAX_LIVE_CONTEXTS = 8;

// anywidget imports the bundle once per widget model (each from its own blob: URL), so a
// module-level variable would give every viewer a pool of its own and the browser would drop
// contexts beyond its limit by itself. The page-wide pool lives on globalThis instead; the key
// names the PoolMember interface's version, which is all that copies of the bundle share.
const PAGE_POOL_KEY = Symbol.for("nbviewer3d.contextPool.v1");

/** The pool every viewer on the page shares, whichever copy of the bundle made it. */
export function pageContextPool(scope: object = globalThis): ContextPool {
  const holder = scope as { [PAGE_POOL_KEY]?: ContextPool };
  holder[PAGE_POOL_KEY] ??= new ContextPool(MAX_LIVE_CONTEXTS);
  return holder[PAGE_POOL_KEY];
}
