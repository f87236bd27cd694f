/** `bytes` random bytes as lowercase hex: 16 bytes for ids and trace ids, 8 for span ids. */
export const hex = (bytes: number): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => (b + 256).toString(16).slice(1)).join('');
