import { EtlError } from '@brokered-etl/errors';
import type { ByteSink } from './byte-scan';

// Structural bytes are ASCII, and UTF-8 never uses bytes < 0x80 inside a
// multi-byte character, so scanning raw bytes finds the same boundaries a
// parser would without decoding anything.
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

// where the scanner is; plain numbers keep the per-byte loop cheap
const Phase = { BeforeArray: 0, ExpectFirst: 1, ExpectNext: 2, AfterElement: 3, InElement: 4, AfterArray: 5 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function shown(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

/**
 * Finds where each element of a top-level JSON array starts and ends by
 * tracking nesting depth, strings and escapes; no value is parsed. Element
 * syntax is left to the reader's parser; the array's own punctuation
 * (commas, brackets) and truncation are checked here.
 */
export class JsonArrayScanner implements ByteSink {
  private phase: Phase = Phase.BeforeArray;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private elementStart = 0;
  private complete = 0;

  constructor(
    private readonly name: string,
    /** Receives each element's [start, end); returns false to stop scanning. */
    private readonly onRecord: (start: number, end: number) => boolean,
  ) {}

  push(chunk: Buffer, offset: number): boolean {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.phase === Phase.InElement) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (b === BACKSLASH) this.escaped = true;
          else if (b === QUOTE) {
            this.inString = false;
            if (this.depth === 0 && !this.endElement(offset + i + 1, Phase.AfterElement)) return false;
          }
        } else if (this.scalar) {
          if (isSpace(b)) {
            if (!this.endElement(offset + i, Phase.AfterElement)) return false;
          } else if (b === COMMA) {
            if (!this.endElement(offset + i, Phase.ExpectNext)) return false;
          } else if (b === CLOSE_BRACKET) {
            if (!this.endElement(offset + i, Phase.AfterArray)) return false;
          }
        } else if (b === QUOTE) this.inString = true;
        else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.depth++;
        else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
          this.depth--;
          if (this.depth === 0 && !this.endElement(offset + i + 1, Phase.AfterElement)) return false;
        }
        continue;
      }
      if (isSpace(b)) continue;
      this.between(b, offset + i);
    }
    return true;
  }

  end(size: number): void {
    switch (this.phase) {
      case Phase.AfterArray:
        return;
      case Phase.BeforeArray:
        throw this.unreadable(`${this.name} is empty, not a JSON array`, size);
      case Phase.InElement:
        throw this.unreadable(
          `${this.name} is truncated at byte ${size} inside record ${this.complete + 1} (${this.complete} complete records before it)`,
          size,
        );
      default:
        throw this.unreadable(
          `${this.name} is truncated at byte ${size} before the array's closing ']' (${this.complete} complete records before it)`,
          size,
        );
    }
  }

  /** A non-space byte outside any element: the array's own punctuation, or an element's first byte. */
  private between(b: number, at: number): void {
    switch (this.phase) {
      case Phase.BeforeArray:
        // a UTF-8 byte order mark may precede the array
        if ((at === 0 && b === 0xef) || (at === 1 && b === 0xbb) || (at === 2 && b === 0xbf)) return;
        if (b !== OPEN_BRACKET) throw this.unreadable(`${this.name} is not a JSON array: it starts with ${shown(b)} at byte ${at}`, at);
        this.phase = Phase.ExpectFirst;
        return;
      case Phase.ExpectFirst:
        if (b === CLOSE_BRACKET) this.phase = Phase.AfterArray;
        else this.startElement(b, at);
        return;
      case Phase.ExpectNext:
        this.startElement(b, at);
        return;
      case Phase.AfterElement:
        if (b === COMMA) this.phase = Phase.ExpectNext;
        else if (b === CLOSE_BRACKET) this.phase = Phase.AfterArray;
        else throw this.unexpected(b, at, `',' or ']' after record ${this.complete}`);
        return;
      case Phase.AfterArray:
        throw this.unexpected(b, at, `nothing after the array's closing ']'`);
    }
  }

  private startElement(b: number, at: number): void {
    if (b === COMMA || b === COLON || b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      throw this.unexpected(b, at, `record ${this.complete + 1}`);
    }
    this.phase = Phase.InElement;
    this.elementStart = at;
    this.scalar = b !== OPEN_BRACE && b !== OPEN_BRACKET && b !== QUOTE;
    this.inString = b === QUOTE;
    this.depth = b === OPEN_BRACE || b === OPEN_BRACKET ? 1 : 0;
  }

  private endElement(end: number, next: Phase): boolean {
    this.phase = next;
    this.scalar = false;
    this.complete++;
    return this.onRecord(this.elementStart, end);
  }

  private unexpected(b: number, at: number, expected: string): EtlError {
    return this.unreadable(`${this.name} is not a readable JSON array: expected ${expected} at byte ${at}, found ${shown(b)}`, at);
  }

  private unreadable(message: string, offset: number): EtlError {
    return new EtlError('SOURCE_UNREADABLE', message, { details: { path: this.name, offset, completeRecords: this.complete } });
  }
}
