export { DEFAULT_SIMULATOR_MODELS, startSimulator } from "./server.ts";
export { SimulatorRuleError } from "./rule-validation.ts";
export type {
  SimulatorBatchOptions,
  SimulatorContentPreset,
  SimulatorFault,
  SimulatorFaultType,
  SimulatorHandle,
  SimulatorLatency,
  SimulatorLatencyOptions,
  SimulatorMalformedForm,
  SimulatorOptions,
  SimulatorRule,
  SimulatorStats,
} from "./types.ts";
