import { CftkitError, type CftkitErrorCode } from "@cftkit/core";
import { DTYPE_SIZES, type Dtype, isDtype } from "./dtype.js";
import { elementCount, type TensorInfo } from "./tensor-info.js";

/** The largest header the reference implementation accepts (huggingface/safetensors MAX_HEADER_SIZE). */
export const MAX_HEADER_SIZE = 100_000_000;

export interface ParsedHeader {
  tensors: TensorInfo[];
  metadata: Record<string, string>;
  /** 8 + header length: where the data buffer starts. */
  dataStart: number;
}

function fail(
  code: CftkitErrorCode,
  file: string,
  message: string,
  details: Record<string, unknown> = {},
): never {
  throw new CftkitError(code, `${file}: ${message}`, { details: { file, ...details } });
}

/**
 * Check the 8-byte length prefix before anything is allocated for the header.
 * Returns the header length N.
 */
export function checkHeaderLength(prefix: Uint8Array, file: string, fileSize: number): number {
  if (fileSize < 8) {
    fail(
      "SAFETENSORS_FILE_TOO_SHORT",
      file,
      `file is ${fileSize} bytes, shorter than the 8-byte header length`,
    );
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_SIZE)) {
    fail(
      "SAFETENSORS_HEADER_TOO_LARGE",
      file,
      `header claims ${n} bytes, more than the limit of ${MAX_HEADER_SIZE}`,
      {
        headerLength: n.toString(),
      },
    );
  }
  const length = Number(n);
  if (8 + length > fileSize) {
    fail(
      "SAFETENSORS_HEADER_TRUNCATED",
      file,
      `header claims ${length} bytes but the file has only ${fileSize - 8} after the length prefix`,
    );
  }
  return length;
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Parse and validate a header exactly as huggingface/safetensors does (plus duplicate-name detection). */
export function parseHeader(headerBytes: Uint8Array, file: string, fileSize: number): ParsedHeader {
  const json = decodeHeaderObject(headerBytes, file);
  const dataStart = 8 + headerBytes.byteLength;
  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === "__metadata__") metadata = checkMetadata(value, file);
    else entries.push(checkEntry(name, value, file, dataStart));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkDataLayout(entries, file, fileSize - dataStart);
  return { tensors: entries.map((e) => e.info), metadata, dataStart };
}

interface HeaderEntry {
  name: string;
  info: TensorInfo;
  begin: number;
  end: number;
}

/** The header bytes as a JSON object: UTF-8, starting with '{', valid JSON, no duplicate tensor names. */
function decodeHeaderObject(headerBytes: Uint8Array, file: string): Record<string, unknown> {
  let text: string;
  try {
    text = decoder.decode(headerBytes);
  } catch {
    fail("SAFETENSORS_HEADER_NOT_UTF8", file, "header is not valid UTF-8");
  }
  if (!text.startsWith("{")) fail("SAFETENSORS_HEADER_NOT_OBJECT", file, "header does not start with '{'");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    fail("SAFETENSORS_HEADER_INVALID_JSON", file, `header is not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    fail("SAFETENSORS_HEADER_NOT_OBJECT", file, "header JSON is not an object");
  }
  const duplicate = findDuplicateTopLevelKey(text);
  if (duplicate !== null) {
    fail("SAFETENSORS_DUPLICATE_TENSOR", file, `tensor "${duplicate}" appears more than once in the header`, {
      tensor: duplicate,
    });
  }
  return json as Record<string, unknown>;
}

const isNonNegativeInteger = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** One tensor entry: an object with a known dtype, a shape and a pair of ordered data offsets. */
function checkEntry(name: string, value: unknown, file: string, dataStart: number): HeaderEntry {
  const where = `tensor "${name}"`;
  const bad = (code: CftkitErrorCode, message: string): never =>
    fail(code, file, `${where}: ${message}`, { tensor: name });
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    bad("SAFETENSORS_INVALID_ENTRY", "entry is not an object");
  }
  const entry = value as Record<string, unknown>;
  for (const key of ["dtype", "shape", "data_offsets"]) {
    if (!(key in entry)) bad("SAFETENSORS_INVALID_ENTRY", `missing "${key}"`);
  }
  const { dtype, shape, data_offsets: offsets } = entry;
  if (!isDtype(dtype)) bad("SAFETENSORS_UNKNOWN_DTYPE", `unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    bad("SAFETENSORS_INVALID_SHAPE", `shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
    bad(
      "SAFETENSORS_INVALID_OFFSETS",
      `data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) bad("SAFETENSORS_INVALID_OFFSETS", `data_offsets end ${end} is before begin ${begin}`);
  const dims = shape as number[];
  if (!Number.isSafeInteger(elementCount(dims) * DTYPE_SIZES[dtype as Dtype])) {
    bad("SAFETENSORS_INVALID_SHAPE", `shape ${JSON.stringify(shape)} overflows`);
  }
  return {
    name,
    begin,
    end,
    info: {
      name,
      dtype: dtype as Dtype,
      shape: dims,
      file,
      byteOffset: dataStart + begin,
      byteLength: end - begin,
    },
  };
}

/**
 * Entries sorted by offset must tile the data buffer: contiguous from 0, each the size of its dtype and shape,
 * ending exactly at the end of the file.
 */
function checkDataLayout(entries: HeaderEntry[], file: string, available: number): void {
  let position = 0;
  for (const { name, begin, end, info } of entries) {
    if (begin < position) {
      fail(
        "SAFETENSORS_OVERLAPPING_OFFSETS",
        file,
        `tensor "${name}": data_offsets [${begin}, ${end}] overlap the previous tensor, which ends at ${position}`,
        { tensor: name },
      );
    }
    if (begin > position) {
      fail(
        "SAFETENSORS_OFFSET_GAP",
        file,
        `tensor "${name}": data_offsets begin at ${begin} but the previous tensor ends at ${position} (offsets must be contiguous from 0)`,
        { tensor: name },
      );
    }
    const expected = elementCount(info.shape) * DTYPE_SIZES[info.dtype];
    if (expected !== end - begin) {
      fail(
        "SAFETENSORS_BYTE_LENGTH_MISMATCH",
        file,
        `tensor "${name}": ${info.dtype}${JSON.stringify(info.shape)} needs ${expected} bytes but data_offsets span ${end - begin}`,
        { tensor: name },
      );
    }
    position = end;
  }
  if (position > available) {
    const last = entries[entries.length - 1]!;
    fail(
      "SAFETENSORS_TRUNCATED",
      file,
      `file is truncated: tensor "${last.name}" ends at data byte ${position} but only ${available} data bytes exist`,
      { tensor: last.name },
    );
  }
  if (position < available) {
    fail(
      "SAFETENSORS_TRAILING_BYTES",
      file,
      `${available - position} unexpected bytes after the last tensor (the data buffer must end at the end of the file)`,
    );
  }
}

function checkMetadata(value: unknown, file: string): Record<string, string> {
  if (value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    fail("SAFETENSORS_INVALID_METADATA", file, "__metadata__ is not an object of strings");
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "string") {
      fail(
        "SAFETENSORS_INVALID_METADATA",
        file,
        `__metadata__ value of "${k}" is ${JSON.stringify(v)}, not a string`,
      );
    }
    out[k] = v;
  }
  return out;
}

/**
 * The first top-level key of a JSON object text that occurs twice, or null.
 * `text` must already be valid JSON (JSON.parse keeps the last duplicate silently, so it cannot tell).
 */
export function findDuplicateTopLevelKey(text: string): string | null {
  const seen = new Set<string>();
  let i = text.indexOf("{") + 1;
  let depth = 1;
  let expectKey = true;
  while (i < text.length && depth > 0) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      i++;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i++;
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && depth === 1) expectKey = true;
    i++;
  }
  return null;
}
