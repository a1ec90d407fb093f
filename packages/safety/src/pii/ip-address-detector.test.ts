import { describe, expect, it } from "vitest";
import { found } from "../test-support/found.ts";
import { createIpAddressDetector } from "./ip-address-detector.ts";

const detector = createIpAddressDetector();

describe("IP address detector", () => {
  it("finds IPv4 and IPv6 addresses", () => {
    expect(found(detector, "login from 106.31.73.20 failed")).toEqual(["IP_ADDRESS:106.31.73.20"]);
    expect(found(detector, "server 2001:db8::8a2e:370:7334 is up")).toEqual(["IP_ADDRESS:2001:db8::8a2e:370:7334"]);
    expect(found(detector, "loopback ::1 or fe80::1")).toEqual(["IP_ADDRESS:::1", "IP_ADDRESS:fe80::1"]);
  });

  it("leaves version strings, out-of-range quads, times and longer dotted runs alone", () => {
    expect(found(detector, "upgrade to version 1.2.3.4 today")).toEqual([]);
    expect(found(detector, "v10.0.0.1 released")).toEqual([]);
    expect(found(detector, "999.1.1.1")).toEqual([]);
    expect(found(detector, "meet at 11:34:35")).toEqual([]);
    expect(found(detector, "OID 1.3.6.1.4.1")).toEqual([]);
  });
});
