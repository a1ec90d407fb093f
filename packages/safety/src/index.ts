export type { Detector, Finding } from "./finding.ts";
