/** One server-sent event: its `event` field (null when absent) and its data lines joined by "\n". */
export interface SseMessage {
  event: string | null;
  data: string;
}

/**
 * Incremental SSE decoding as the openai SDK does it (its LineDecoder and SSEDecoder):
 * lines end at CRLF, LF or CR; `data:` lines gather (one optional space after the
 * colon), `event:` names the event, comments (`:`) and other fields are skipped, and a
 * blank line dispatches the event if it had data or a name. An event that never got its
 * blank line is dropped, as the SDK drops it.
 */
export class SseDecoder {
  private pending = "";
  private afterCR = false;
  private event: string | null = null;
  private data: string[] = [];

  /** Takes the next decoded text; returns the events it completed. */
  push(text: string): SseMessage[] {
    const messages: SseMessage[] = [];
    let from = 0;
    let index = 0;
    if (this.afterCR && text.charCodeAt(0) === 0x0a) {
      from = 1;
      index = 1;
    }
    this.afterCR = false;
    for (; index < text.length; index++) {
      const unit = text.charCodeAt(index);
      if (unit !== 0x0a && unit !== 0x0d) continue;
      const line = this.pending === "" ? text.slice(from, index) : this.pending + text.slice(from, index);
      this.pending = "";
      this.line(line, messages);
      if (unit === 0x0d) {
        if (index + 1 === text.length) this.afterCR = true;
        else if (text.charCodeAt(index + 1) === 0x0a) index++;
      }
      from = index + 1;
    }
    if (from < text.length) this.pending += text.slice(from);
    return messages;
  }

  private line(line: string, messages: SseMessage[]): void {
    if (line === "") {
      if (!this.event && this.data.length === 0) return;
      messages.push({
        event: this.event,
        data: this.data.length === 1 ? (this.data[0] as string) : this.data.join("\n"),
      });
      this.event = null;
      this.data = [];
      return;
    }
    if (line.charCodeAt(0) === 0x3a) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
  }
}
