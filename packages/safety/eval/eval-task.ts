/** What an evaluation task returns: a table for people, a summary object for the last line. */
export interface EvalReport {
  table: string;
  summary: Record<string, unknown>;
}

export interface EvalTask {
  /** One line for the usage message. */
  description: string;
  run(file: string): Promise<EvalReport>;
}
