// NumPy's .npy format, version 1.0 (numpy/lib/format.py): a magic string, a little-endian header
// length, a Python-literal header dict padded so the data starts on a 64-byte boundary, then the raw
// array. Written by hand: the format is these few lines, and the npm packages for it (npyjs,
// numpy-parser) only read it.

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** A C-order float32 array of the given shape as .npy bytes (readable by `np.load`). */
export function npyBytes(data: Float32Array, shape: readonly number[]): Uint8Array {
  const size = shape.reduce((product, n) => product * n, 1);
  if (size !== data.length) throw new Error(`npy: shape (${shape.join(', ')}) holds ${size} values, the array ${data.length}`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // magic (6) + version (2) + header length (2) + header + '\n' is a multiple of 64
  const unpadded = 10 + header.length + 1;
  header = `${header}${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1; // major version
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new DataView(out.buffer, 10 + header.length);
  // explicit little-endian, whatever the machine's order
  for (let i = 0; i < data.length; i++) body.setFloat32(4 * i, data[i], true);
  return out;
}

/** Reads back what npyBytes writes (float32, C order): for tests and for checking an export. */
export function parseNpy(bytes: Uint8Array): { shape: number[]; data: Float32Array } {
  if (bytes.length < 10 || MAGIC.some((byte, i) => bytes[i] !== byte)) throw new Error('npy: not a .npy file (no \\x93NUMPY magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint16(8, true);
  const header = new TextDecoder('latin1').decode(bytes.subarray(10, 10 + headerLength));
  if (!/'descr':\s*'<f4'/.test(header) || !/'fortran_order':\s*False/.test(header))
    throw new Error(`npy: only little-endian float32 in C order is read here (${header.trim()})`);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map(Number);
  const count = shape.reduce((product, n) => product * n, 1);
  const start = 10 + headerLength;
  if (bytes.length - start !== 4 * count) throw new Error(`npy: ${bytes.length - start} data bytes for shape (${shape.join(', ')})`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getFloat32(start + 4 * i, true);
  return { shape, data };
}
