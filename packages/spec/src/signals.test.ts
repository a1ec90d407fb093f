import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { linkSignal, onceAborted } from "./signals.ts";

const abortListeners = (signal: AbortSignal): number => getEventListeners(signal, "abort").length;

describe("linkSignal", () => {
  it("aborts the child with the parent's reason when the parent aborts", () => {
    const parent = new AbortController();
    const link = linkSignal(parent.signal);
    const reason = new Error("gone");
    parent.abort(reason);
    expect(link.signal.aborted).toBe(true);
    expect(link.signal.reason).toBe(reason);
  });

  it("uses the reason onParentAbort returns, and calls it at once for a parent already aborted", () => {
    const parent = new AbortController();
    parent.abort(new Error("before"));
    const seen: unknown[] = [];
    const link = linkSignal(parent.signal, (reason) => {
      seen.push(reason);
      return "translated";
    });
    expect(seen).toEqual([parent.signal.reason]);
    expect(link.signal.reason).toBe("translated");
  });

  it("aborts the child alone, leaving the parent untouched", () => {
    const parent = new AbortController();
    const link = linkSignal(parent.signal);
    link.abort("hedge lost");
    link.abort("twice");
    expect(link.signal.reason).toBe("hedge lost");
    expect(parent.signal.aborted).toBe(false);
  });

  it("unhooks from the parent on dispose, so a long-lived parent keeps no listener per child", () => {
    const parent = new AbortController();
    const links = Array.from({ length: 50 }, () => linkSignal(parent.signal));
    expect(abortListeners(parent.signal)).toBe(50);
    for (const link of links) link.dispose();
    expect(abortListeners(parent.signal)).toBe(0);
    parent.abort();
    expect(links.some((link) => link.signal.aborted)).toBe(false);
  });

  it("links to nothing when there is no parent: only abort() ends the child", () => {
    const link = linkSignal(undefined);
    expect(link.signal.aborted).toBe(false);
    link.abort("done");
    expect(link.signal.aborted).toBe(true);
  });
});

describe("onceAborted", () => {
  it("runs the listener once with the abort's reason, and unhooks after it", () => {
    const controller = new AbortController();
    const seen: unknown[] = [];
    onceAborted(controller.signal, (reason) => seen.push(reason));
    expect(abortListeners(controller.signal)).toBe(1);
    controller.abort("gone");
    expect(seen).toEqual(["gone"]);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it("runs at once for a signal already aborted, hooking nothing", () => {
    const controller = new AbortController();
    controller.abort("before");
    const seen: unknown[] = [];
    const unhook = onceAborted(controller.signal, (reason) => seen.push(reason));
    expect(seen).toEqual(["before"]);
    expect(abortListeners(controller.signal)).toBe(0);
    unhook();
  });

  it("never runs once unhooked, and unhooking twice is harmless", () => {
    const controller = new AbortController();
    const seen: unknown[] = [];
    const unhook = onceAborted(controller.signal, (reason) => seen.push(reason));
    unhook();
    unhook();
    expect(abortListeners(controller.signal)).toBe(0);
    controller.abort("late");
    expect(seen).toEqual([]);
  });
});
