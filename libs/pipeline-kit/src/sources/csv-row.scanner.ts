import { EtlError } from '@brokered-etl/errors';
import type { ByteSink } from './byte-scan';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];

// where the scanner is inside a row; plain numbers keep the per-byte loop cheap
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote inside a quoted field: a doubled quote (escape) or the closing one. */
const QUOTE_IN_QUOTED = 3;
/** A closing quote followed by "\r": only "\n" may come next. */
const AFTER_CLOSE_CR = 4;

/** A header line longer than this is not a header: most likely a file without line breaks. */
const MAX_HEADER_BYTES = 16 << 20;

function shown(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

/**
 * Finds row boundaries of a CSV file without parsing fields: a line break
 * ends a row unless it is inside a quoted field. It follows the reader's
 * csv-parse options (CSV_PARSE_OPTIONS): ',' between fields, "\n" or "\r\n"
 * between rows, a quote opens a field only at its start, "" inside quotes is
 * a quote, and empty lines are skipped. The first non-empty row is the header.
 */
export class CsvRowScanner implements ByteSink {
  private state = FIELD_START;
  private prev = -1;
  private bomBytes = 0;
  private rowStart = 0;
  private complete = 0;
  private headerDone = false;
  private headerChunks: Buffer[] = [];
  private headerCollected = 0;

  constructor(
    private readonly name: string,
    /** Receives the header row's bytes (without its line break); returns false to stop scanning. */
    private readonly onHeader: (bytes: Buffer) => boolean,
    /** Receives each data row's [start, end), end before its line break; returns false to stop scanning. */
    private readonly onRecord: (start: number, end: number) => boolean,
  ) {}

  push(chunk: Buffer, offset: number): boolean {
    if (!this.headerDone) this.collectHeader(chunk);
    let state = this.state;
    let prev = this.prev;
    const first = this.skipByteOrderMark(chunk, offset);
    try {
      for (let i = first; i < chunk.length; i++) {
        const b = chunk[i];
        if (state === QUOTED) {
          if (b === QUOTE) state = QUOTE_IN_QUOTED;
        } else if (b === LF) {
          // outside quotes (QUOTE_IN_QUOTED here means that quote closed the field): the row ends
          const at = offset + i;
          state = FIELD_START;
          if (!this.endRow(prev === CR ? at - 1 : at, at + 1)) return false;
        } else if (state === FIELD_START) {
          state = b === QUOTE ? QUOTED : b === COMMA ? FIELD_START : UNQUOTED;
        } else if (state === UNQUOTED) {
          if (b === COMMA) state = FIELD_START;
          else if (b === QUOTE) throw this.unexpected(b, offset + i, 'a quote inside an unquoted field');
        } else if (state === QUOTE_IN_QUOTED) {
          if (b === QUOTE) state = QUOTED;
          else if (b === COMMA) state = FIELD_START;
          else if (b === CR) state = AFTER_CLOSE_CR;
          else throw this.unexpected(b, offset + i, 'a character after a closing quote');
        } else if (state === AFTER_CLOSE_CR) {
          throw this.unexpected(b, offset + i, "a '\\r' after a closing quote that is not followed by '\\n'");
        }
        prev = b;
      }
    } finally {
      this.state = state;
      this.prev = prev;
    }
    return true;
  }

  /**
   * A UTF-8 byte order mark is not content (csv-parse drops it): a line
   * holding only it is empty, and a quote right after it opens a field.
   */
  private skipByteOrderMark(chunk: Buffer, offset: number): number {
    let i = 0;
    while (this.bomBytes < 3 && offset + i === this.bomBytes && i < chunk.length) {
      if (chunk[i] !== BOM[this.bomBytes]) {
        this.bomBytes = 3;
        break;
      }
      i++;
      this.bomBytes++;
      this.rowStart = this.bomBytes;
    }
    return i;
  }

  end(size: number): void {
    if (this.state === QUOTED) {
      const where = this.headerDone ? `record ${this.complete + 1} (${this.complete} complete records before it)` : 'the header row';
      throw new EtlError('SOURCE_UNREADABLE', `${this.name} is truncated at byte ${size} inside a quoted field of ${where}`, {
        details: { path: this.name, offset: size, completeRecords: this.complete },
      });
    }
    this.endRow(size, size);
    if (!this.headerDone) this.finishHeader(this.rowStart, this.rowStart);
  }

  /** Ends the row that started at rowStart with content up to `end`; the next row starts at `next`. */
  private endRow(end: number, next: number): boolean {
    const start = this.rowStart;
    this.rowStart = next;
    // an empty line (or a lone "\r" before "\n") is skipped, as csv-parse's skip_empty_lines does
    if (end === start) return true;
    if (!this.headerDone) return this.finishHeader(start, end);
    this.complete++;
    return this.onRecord(start, end);
  }

  private collectHeader(chunk: Buffer): void {
    this.headerChunks.push(chunk);
    this.headerCollected += chunk.length;
    if (this.headerCollected > MAX_HEADER_BYTES) {
      throw new EtlError('SOURCE_UNREADABLE', `${this.name} is not readable CSV: no header line break in its first ${MAX_HEADER_BYTES} bytes`, {
        details: { path: this.name },
      });
    }
  }

  private finishHeader(start: number, end: number): boolean {
    this.headerDone = true;
    // chunks were collected from byte 0, so file offsets index the concatenation
    const bytes = Buffer.concat(this.headerChunks).subarray(start, end);
    this.headerChunks = [];
    return this.onHeader(bytes);
  }

  private unexpected(b: number, at: number, what: string): EtlError {
    const where = this.headerDone ? `record ${this.complete + 1}` : 'the header row';
    return new EtlError('SOURCE_UNREADABLE', `${this.name} is not readable CSV: ${what} (${shown(b)}) at byte ${at} in ${where}`, {
      details: { path: this.name, offset: at, completeRecords: this.complete },
    });
  }
}
