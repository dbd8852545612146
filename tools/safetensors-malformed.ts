// Malformed safetensors files and checkpoint folders, one per validation rule, with the error code each must give.
// Used by the @cftkit/safetensors tests and the `cftkit inspect` CLI tests.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface MalformedCase {
  /** What is wrong. */
  title: string;
  /** The CftkitError code the reader must throw. */
  code: string;
  /** Files to create, relative to the case folder. */
  files: Record<string, Uint8Array>;
  /** What to open, relative to the case folder ("" = the folder itself). */
  open: string;
  /** A word the message must contain (the tensor or shard it names). */
  mentions?: string;
}

/** A raw file: 8-byte little-endian length (or `claimedLength`), the header text, then `data`. */
export function rawSafetensors(
  header: string,
  data: Uint8Array = new Uint8Array(0),
  claimedLength?: bigint,
): Uint8Array {
  const text = Buffer.from(header, "utf8");
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, claimedLength ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

const bytes = (n: number) => new Uint8Array(n).fill(7);
const one = (entry: object, data = bytes(8)) => rawSafetensors(JSON.stringify({ w: entry }), data);
const good = (name: string) =>
  rawSafetensors(JSON.stringify({ [name]: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }), bytes(8));

export function malformedCases(): MalformedCase[] {
  const header = (h: string) => new Uint8Array(Buffer.from(h, "utf8"));
  return [
    {
      title: "file shorter than 8 bytes",
      code: "SAFETENSORS_FILE_TOO_SHORT",
      files: { "m.safetensors": bytes(5) },
      open: "m.safetensors",
    },
    {
      title: "header length over 100,000,000 (claims 2^62 bytes)",
      code: "SAFETENSORS_HEADER_TOO_LARGE",
      files: { "m.safetensors": rawSafetensors("{}", new Uint8Array(0), 1n << 62n) },
      open: "m.safetensors",
    },
    {
      title: "header length just over the limit, file tiny",
      code: "SAFETENSORS_HEADER_TOO_LARGE",
      files: { "m.safetensors": rawSafetensors("{}", new Uint8Array(0), 100_000_001n) },
      open: "m.safetensors",
    },
    {
      title: "header longer than the file",
      code: "SAFETENSORS_HEADER_TRUNCATED",
      files: { "m.safetensors": rawSafetensors('{"a":1}', new Uint8Array(0), 4096n) },
      open: "m.safetensors",
    },
    {
      title: "header not UTF-8",
      code: "SAFETENSORS_HEADER_NOT_UTF8",
      files: {
        "m.safetensors": (() => {
          const f = rawSafetensors("{}      ");
          f[10] = 0xff;
          f[11] = 0xfe;
          return f;
        })(),
      },
      open: "m.safetensors",
    },
    {
      title: "header not JSON",
      code: "SAFETENSORS_HEADER_INVALID_JSON",
      files: { "m.safetensors": rawSafetensors('{"w": {"dtype": ') },
      open: "m.safetensors",
    },
    {
      title: "header a JSON array",
      code: "SAFETENSORS_HEADER_NOT_OBJECT",
      files: { "m.safetensors": rawSafetensors("[1, 2]  ") },
      open: "m.safetensors",
    },
    {
      title: "entry without data_offsets",
      code: "SAFETENSORS_INVALID_ENTRY",
      files: { "m.safetensors": one({ dtype: "F32", shape: [2] }) },
      open: "m.safetensors",
      mentions: '"w"',
    },
    {
      title: "unknown dtype",
      code: "SAFETENSORS_UNKNOWN_DTYPE",
      files: { "m.safetensors": one({ dtype: "F128", shape: [2], data_offsets: [0, 8] }) },
      open: "m.safetensors",
      mentions: "F128",
    },
    {
      title: "negative dimension",
      code: "SAFETENSORS_INVALID_SHAPE",
      files: { "m.safetensors": one({ dtype: "F32", shape: [-2], data_offsets: [0, 8] }) },
      open: "m.safetensors",
      mentions: '"w"',
    },
    {
      title: "non-integer dimension",
      code: "SAFETENSORS_INVALID_SHAPE",
      files: { "m.safetensors": one({ dtype: "F32", shape: [1.5], data_offsets: [0, 8] }) },
      open: "m.safetensors",
    },
    {
      title: "end offset before begin",
      code: "SAFETENSORS_INVALID_OFFSETS",
      files: { "m.safetensors": one({ dtype: "F32", shape: [2], data_offsets: [8, 0] }) },
      open: "m.safetensors",
    },
    {
      title: "offsets not starting at 0",
      code: "SAFETENSORS_OFFSET_GAP",
      files: { "m.safetensors": one({ dtype: "F32", shape: [2], data_offsets: [4, 12] }, bytes(12)) },
      open: "m.safetensors",
      mentions: '"w"',
    },
    {
      title: "overlapping tensors",
      code: "SAFETENSORS_OVERLAPPING_OFFSETS",
      files: {
        "m.safetensors": rawSafetensors(
          JSON.stringify({
            a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
            b: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
          }),
          bytes(12),
        ),
      },
      open: "m.safetensors",
      mentions: '"b"',
    },
    {
      title: "byte length not elements x dtype size",
      code: "SAFETENSORS_BYTE_LENGTH_MISMATCH",
      files: { "m.safetensors": one({ dtype: "F32", shape: [3], data_offsets: [0, 8] }) },
      open: "m.safetensors",
      mentions: '"w"',
    },
    {
      title: "data truncated",
      code: "SAFETENSORS_TRUNCATED",
      files: { "m.safetensors": one({ dtype: "F32", shape: [4], data_offsets: [0, 16] }, bytes(9)) },
      open: "m.safetensors",
      mentions: '"w"',
    },
    {
      title: "trailing bytes after the buffer",
      code: "SAFETENSORS_TRAILING_BYTES",
      files: { "m.safetensors": one({ dtype: "F32", shape: [2], data_offsets: [0, 8] }, bytes(12)) },
      open: "m.safetensors",
    },
    {
      title: "duplicate tensor name",
      code: "SAFETENSORS_DUPLICATE_TENSOR",
      files: {
        "m.safetensors": rawSafetensors(
          '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
          bytes(8),
        ),
      },
      open: "m.safetensors",
      mentions: '"w"',
    },
    {
      title: "__metadata__ value not a string",
      code: "SAFETENSORS_INVALID_METADATA",
      files: {
        "m.safetensors": rawSafetensors(
          JSON.stringify({
            __metadata__: { step: 3 },
            w: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
          }),
          bytes(8),
        ),
      },
      open: "m.safetensors",
    },
    {
      title: "index.json not JSON",
      code: "SAFETENSORS_INDEX_INVALID",
      files: {
        "model.safetensors.index.json": header('{"weight_map": {'),
        "model-00001-of-00001.safetensors": good("w"),
      },
      open: "",
    },
    {
      title: "index.json without weight_map",
      code: "SAFETENSORS_INDEX_INVALID",
      files: {
        "model.safetensors.index.json": header('{"metadata": {}}'),
        "model-00001-of-00001.safetensors": good("w"),
      },
      open: "",
    },
    {
      title: "shard named in the index is missing",
      code: "SAFETENSORS_SHARD_MISSING",
      files: {
        "model.safetensors.index.json": header(
          JSON.stringify({
            metadata: { total_size: 16 },
            weight_map: { a: "model-00001-of-00002.safetensors", b: "model-00002-of-00002.safetensors" },
          }),
        ),
        "model-00001-of-00002.safetensors": good("a"),
      },
      open: "",
      mentions: "model-00002-of-00002.safetensors",
    },
    {
      title: "index maps a tensor to a shard that does not hold it",
      code: "SAFETENSORS_INDEX_TENSOR_MISSING",
      files: {
        "model.safetensors.index.json": header(
          JSON.stringify({
            metadata: { total_size: 8 },
            weight_map: { a: "model-00001-of-00001.safetensors", c: "model-00001-of-00001.safetensors" },
          }),
        ),
        "model-00001-of-00001.safetensors": good("a"),
      },
      open: "",
      mentions: '"c"',
    },
    {
      title: "shard with a corrupt header inside a sharded folder",
      code: "SAFETENSORS_BYTE_LENGTH_MISMATCH",
      files: {
        "model.safetensors.index.json": header(
          JSON.stringify({
            metadata: { total_size: 8 },
            weight_map: { a: "model-00001-of-00001.safetensors" },
          }),
        ),
        "model-00001-of-00001.safetensors": one({ dtype: "F16", shape: [2], data_offsets: [0, 8] }),
      },
      open: "",
      mentions: "model-00001-of-00001.safetensors",
    },
    {
      title: "folder without any safetensors file",
      code: "SAFETENSORS_NO_FILES",
      files: { "config.json": header("{}") },
      open: "",
    },
    { title: "path does not exist", code: "SAFETENSORS_NOT_FOUND", files: {}, open: "missing.safetensors" },
  ];
}

/** Create the case's files under `dir`; returns the path to open. */
export async function writeMalformedCase(dir: string, c: MalformedCase): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(c.files)) await writeFile(join(dir, name), content);
  return c.open === "" ? dir : join(dir, c.open);
}
