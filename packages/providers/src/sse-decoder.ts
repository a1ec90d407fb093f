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

  /**
   * Takes the next decoded text; returns the events it completed. Line ends are found with
   * `indexOf` (a native scan) rather than a loop over every character: a chunk is a few
   * hundred characters and two or three lines.
   */
  push(text: string): SseMessage[] {
    const messages: SseMessage[] = [];
    let from = 0;
    if (this.afterCR && text.charCodeAt(0) === 0x0a) from = 1;
    this.afterCR = false;
    let lineFeed = text.indexOf("\n", from);
    let carriageReturn = text.indexOf("\r", from);
    while (lineFeed !== -1 || carriageReturn !== -1) {
      const end = carriageReturn === -1 || (lineFeed !== -1 && lineFeed < carriageReturn) ? lineFeed : carriageReturn;
      const line = this.pending === "" ? text.slice(from, end) : this.pending + text.slice(from, end);
      this.pending = "";
      this.line(line, messages);
      from = end + 1;
      if (end === carriageReturn) {
        // CRLF is one line end; a CR that ends the text may be the first half of one.
        if (from === text.length) this.afterCR = true;
        else if (text.charCodeAt(from) === 0x0a) from += 1;
      }
      if (lineFeed !== -1 && lineFeed < from) lineFeed = text.indexOf("\n", from);
      if (carriageReturn !== -1 && carriageReturn < from) carriageReturn = text.indexOf("\r", from);
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
