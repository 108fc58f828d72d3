import { describe, expect, it } from "vitest";
import {
  ContextPool,
  MAX_LIVE_CONTEXTS,
  type PoolMember,
  pageContextPool,
} from "../src/context-pool";

class Member implements PoolMember {
  live = false;
  acquire(): void {
    this.live = true;
  }
  release(): void {
    this.live = false;
  }
}

describe("ContextPool", () => {
  it("keeps at most maxLive contexts, reclaiming the one seen longest ago", () => {
    const pool = new ContextPool(2);
    const elements = [{}, {}, {}] as Element[];
    const members = elements.map(() => new Member());
    // No IntersectionObserver in node: members count as visible when added.
    elements.forEach((el, i) => {
      pool.add(el, members[i] as Member);
    });
    expect(members.map((m) => m.live)).toEqual([false, true, true]);
    expect(pool.liveCount).toBe(2);
    pool.setVisible(elements[1] as Element, false);
    pool.setVisible(elements[0] as Element, true); // scrolled back to the first viewer
    expect(members.map((m) => m.live)).toEqual([true, false, true]);
  });

  it("forgets removed viewers", () => {
    const pool = new ContextPool(1);
    const a = {} as Element;
    const b = {} as Element;
    const ma = new Member();
    const mb = new Member();
    pool.add(a, ma);
    pool.remove(a);
    pool.add(b, mb);
    expect(mb.live).toBe(true);
    expect(pool.liveCount).toBe(1);
  });
});

describe("pageContextPool", () => {
  it("is one pool per page scope, shared by every copy of the bundle", () => {
    const page = {};
    expect(pageContextPool(page)).toBe(pageContextPool(page));
    expect(pageContextPool(page)).not.toBe(pageContextPool({}));
    expect(pageContextPool(page).maxLive).toBe(MAX_LIVE_CONTEXTS);
  });
});
