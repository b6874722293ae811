// A streaming parser for text/event-stream (the WHATWG "event stream
// interpretation"), fed with the chunks of a fetch() body. EventSource cannot
// send a POST body or an Authorization header, so the UI parses the stream
// itself.

export class SSEParser {
  constructor(onEvent) {
    this.onEvent = onEvent; // ({event, data, id}) => void
    this.buffer = "";
    this.data = [];
    this.eventType = "";
    this.lastEventId = "";
    this.retry = null;
  }

  push(text) {
    this.buffer += text;
    let start = 0;
    for (;;) {
      const cr = this.buffer.indexOf("\r", start);
      const lf = this.buffer.indexOf("\n", start);
      let end = -1;
      let next = -1;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // A lone CR at the end of the chunk may be the first half of CRLF.
        if (cr === this.buffer.length - 1) break;
        end = cr;
        next = this.buffer[cr + 1] === "\n" ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else {
        break;
      }
      this.line(this.buffer.slice(start, end));
      start = next;
    }
    this.buffer = this.buffer.slice(start);
  }

  // The body ended: a final event without its blank line is incomplete and,
  // per the spec, dropped.
  end() {
    this.buffer = "";
    this.data = [];
    this.eventType = "";
  }

  line(line) {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line[0] === ":") return; // comment, e.g. the ": ping" heartbeat
    const colon = line.indexOf(":");
    let field = line;
    let value = "";
    if (colon !== -1) {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value[0] === " ") value = value.slice(1);
    }
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.eventType = value;
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break;
    }
  }

  dispatch() {
    const type = this.eventType || "message";
    this.eventType = "";
    if (this.data.length === 0) return;
    const data = this.data.join("\n");
    this.data = [];
    this.onEvent({ event: type, data, id: this.lastEventId });
  }
}

// Feeds an SSE response body to `parser`. Resolves when the body ends;
// rejects when it breaks or is aborted (parser.lastEventId still tells how far
// it got, for a resume with Last-Event-ID).
export async function readEventStream(response, parser) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder("utf-8");
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
    parser.end();
  } finally {
    reader.releaseLock();
  }
}
